/// Where task output goes when neither the job file nor the task says: the command
/// line's `--output`/`--error`, then the farm's defaults.
public struct OutputDefaults: Sendable, Equatable {
    /// `--output`: wins over the job file's stdout (as sbatch's command line wins over
    /// `#SBATCH --output`).
    public var output: String?
    /// `--error`: wins over the job file's stderr.
    public var error: String?
    /// The farm's default stdout pattern when nothing names one.
    public var defaultOutput: String?
    /// The farm's default stderr pattern when nothing names one.
    public var defaultError: String?

    /// Defaults; every argument is the property of the same name, a Slurm filename pattern or `nil`.
    public init(output: String? = nil, error: String? = nil, defaultOutput: String? = nil, defaultError: String? = nil) {
        self.output = output
        self.error = error
        self.defaultOutput = defaultOutput
        self.defaultError = defaultError
    }

    /// The stdout and stderr patterns of one task. When only a stdout is named (on the
    /// command line or in the file), stderr goes to the same file, as with sbatch.
    public func resolve(taskOutput: String?, taskError: String?) -> (stdout: String?, stderr: String?) {
        let named = output ?? taskOutput
        let stdout = named ?? defaultOutput
        let stderr = error ?? taskError ?? (named != nil ? stdout : defaultError)
        return (stdout, stderr)
    }
}
