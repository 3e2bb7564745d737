/// The version `taskfarm --version` prints. Bump it with every release: semantic
/// versioning, the journal and client protocol counting as public interfaces.
public enum TaskFarmVersion {
    /// `MAJOR.MINOR.PATCH`.
    public static let current = "0.2.0"
}
