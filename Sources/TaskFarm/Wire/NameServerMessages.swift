/// A request to the name server. Every request carries an id that its reply echoes.
struct NameServerRequest: Sendable, Equatable {
    enum Operation: Int, Sendable {
        /// Bind `key` to `value`, owned by the requesting rank.
        case register = 0
        /// The value bound to `key`; waits up to `timeout` seconds for it to appear.
        case lookup = 1
        /// Every entry whose key starts with `key`; waits until at least `minimum` exist.
        case list = 2
        /// Remove `key`.
        case unregister = 3
        /// The sending rank leaves the farm: remove every name it registered.
        case leave = 4
    }

    var id: Int
    var operation: Operation
    var key: String
    var value: [UInt8] = []
    var minimum = 0
    /// Seconds to wait for a lookup or a list minimum; `nil` waits forever.
    var timeout: Double?
}

extension NameServerRequest: WireMessage {
    func write(to writer: inout WireWriter) {
        writer.write(id, operation.rawValue, key)
        writer.write(value)
        writer.write(minimum, timeout)
    }

    init(from reader: inout WireReader) throws(WireError) {
        id = try reader.readInt()
        guard let operation = Operation(rawValue: try reader.readInt()) else {
            throw WireError(description: "unknown name server operation")
        }
        self.operation = operation
        key = try reader.readString()
        value = try reader.readByteArray()
        minimum = try reader.readInt()
        timeout = try reader.readOptionalDouble()
    }
}

/// One name-server binding.
public struct NameEntry: Sendable, Equatable {
    /// The name, such as `worker/3` or `service/fft`.
    public var key: String
    /// The bound value (an encoded ``WorkerAd`` for workers).
    public var value: [UInt8]
    /// The rank that registered it; its entries go when it leaves.
    public var owner: Int
}

/// The name server's answer to a ``NameServerRequest``.
struct NameServerReply: Sendable, Equatable {
    var id: Int
    /// `nil` on success, else why it failed (unknown name, timed out).
    var error: String?
    var entries: [NameEntry] = []
}

extension NameServerReply: WireMessage {
    func write(to writer: inout WireWriter) {
        writer.write(id)
        writer.write(error)
        writer.write(UInt64(entries.count))
        for entry in entries {
            writer.write(entry.key)
            writer.write(entry.owner)
            writer.write(entry.value)
        }
    }

    init(from reader: inout WireReader) throws(WireError) {
        id = try reader.readInt()
        error = try reader.readOptionalString()
        let count = try reader.readCount()
        entries = []
        for _ in 0..<count {
            let key = try reader.readString()
            let owner = try reader.readInt()
            entries.append(NameEntry(key: key, value: try reader.readByteArray(), owner: owner))
        }
    }
}
