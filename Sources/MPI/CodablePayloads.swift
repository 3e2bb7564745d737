import CMPI
import CMPIShims

/// Arbitrary `Codable` values as messages, in the compact format of ``BinaryEncoder``
/// (mpi4py's lowercase `send`/`recv`, without pickle).
extension Communicator {
    /// Encodes `value` with ``BinaryEncoder`` and sends the bytes.
    ///
    /// - Throws: `EncodingError` from the value, or ``MPIError`` from `MPI_Send`.
    /// Source: MPI 3.1 §3.2.1, `MPI_Send`.
    public func send<V: Encodable>(encoding value: V, to destination: Int, tag: Int32) throws {
        try send(try BinaryEncoder().encode(value), to: destination, tag: tag)
    }

    /// Encodes `value` and starts a nonblocking send; the request owns the bytes.
    ///
    /// - Returns: a ``Request`` to test or wait on.
    /// - Throws: `EncodingError`, or ``MPIError`` from `MPI_Isend`.
    /// Source: MPI 3.1 §3.7.2, `MPI_Isend`.
    public func isend<V: Encodable>(encoding value: V, to destination: Int, tag: Int32) throws -> Request {
        try isend(try BinaryEncoder().encode(value), to: destination, tag: tag)
    }

    /// Receives one message (race-free, by matched probe) and decodes it as `V`.
    ///
    /// - Returns: the value and the ``Status``.
    /// - Throws: ``MPIError`` from `MPI_Mprobe`/`MPI_Mrecv`, or `DecodingError` if the bytes
    ///   are not a `V` in ``BinaryEncoder``'s format.
    /// Source: MPI 3.1 §3.8.2 (`MPI_Mprobe`), §3.8.3 (`MPI_Mrecv`).
    public func receive<V: Decodable>(decoding type: V.Type, from source: Int = Communicator.anySource,
                                      tag: Int32 = Communicator.anyTag) throws -> (V, Status) {
        let (bytes, status) = try receive(UInt8.self, from: source, tag: tag)
        return (try BinaryDecoder().decode(V.self, from: bytes), status)
    }

    /// Broadcasts a `Codable` value from `root`: the root passes it, the others pass `nil`
    /// (or anything; it is ignored) and get the root's value. Two broadcasts: the size, then
    /// the bytes.
    ///
    /// - Returns: the root's value on every rank.
    /// - Throws: ``MPIError`` from `MPI_Bcast` (class `MPI_ERR_ARG` if the root passes `nil`),
    ///   `EncodingError` or `DecodingError`.
    /// Source: MPI 3.1 §5.4, `MPI_Bcast`.
    public func broadcast<V: Codable>(encoding value: V?, root: Int) throws -> V {
        var bytes: [UInt8] = []
        if rank == root {
            guard let value else {
                throw MPIError(.argument, routine: "MPI_Bcast", context: "the root \(root) must pass a value to broadcast")
            }
            bytes = try BinaryEncoder().encode(value)
        }
        var count = [bytes.count]
        try broadcast(&count, root: root)
        if rank != root { bytes = [UInt8](repeating: 0, count: count[0]) }
        try broadcast(&bytes, root: root)
        return try BinaryDecoder().decode(V.self, from: bytes)
    }
}
