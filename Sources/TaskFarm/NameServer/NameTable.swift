/// The name server's directory: names bound to values, each owned by the rank that
/// registered it. Pure data, so it is tested without MPI.
public struct NameTable: Sendable {
    private var entries: [String: NameEntry] = [:]

    /// An empty table.
    public init() {}

    /// Binds `key`, replacing an earlier binding.
    public mutating func register(_ key: String, value: [UInt8], owner: Int) {
        entries[key] = NameEntry(key: key, value: value, owner: owner)
    }

    /// The binding of `key`, if any.
    public func lookup(_ key: String) -> NameEntry? { entries[key] }

    /// Removes `key`; returns whether it was bound.
    @discardableResult
    public mutating func unregister(_ key: String) -> Bool { entries.removeValue(forKey: key) != nil }

    /// Every binding whose key starts with `prefix`, sorted by key.
    public func list(prefix: String) -> [NameEntry] {
        entries.values.filter { $0.key.hasPrefix(prefix) }.sorted { $0.key < $1.key }
    }

    /// Removes every binding owned by `rank` (it left the farm).
    public mutating func removeAll(ownedBy rank: Int) {
        entries = entries.filter { $0.value.owner != rank }
    }

    /// How many names are bound.
    public var count: Int { entries.count }
}
