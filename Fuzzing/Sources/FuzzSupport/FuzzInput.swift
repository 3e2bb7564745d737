import Foundation
@testable import JobSpec

/// libFuzzer's input, as the parsers receive a file's content.
public enum FuzzInput {
    /// The input bytes (`size` bytes at `data`; `data` may be null when `size` is 0).
    public static func data(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Data {
        guard let data, size > 0 else { return Data() }
        return Data(bytes: data, count: size)
    }

    /// The input as text, or `nil` when it is not UTF-8 (the targets skip such inputs).
    public static func text(_ data: UnsafePointer<UInt8>?, _ size: Int) -> String? {
        guard let data, size > 0 else { return "" }
        return String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    }

    /// The input as a job file's text, or `nil` when the loader refuses it (not UTF-8); with
    /// `submitter` (`qsub`, `sbatch`), as a batch script's, also refused with CRLF lines.
    public static func jobText(_ data: UnsafePointer<UInt8>?, _ size: Int, file: String,
                               submitter: String? = nil) -> String? {
        guard let text = try? JobLoader.text(of: Self.data(data, size), file: file) else { return nil }
        guard let submitter else { return text }
        return try? JobLoader.checkScript(text, file: file, submitter: submitter)
    }

    /// An empty folder made once per process, for the working directory of the jobs parsed:
    /// relative paths in an input name nothing, and nothing outside it is written.
    public static let scratchFolder: String = {
        var template = Array((NSTemporaryDirectory() + "/taskfarm-fuzz.XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { fatalError("cannot make a scratch folder under \(NSTemporaryDirectory())") }
        return String(cString: template)
    }()
}
