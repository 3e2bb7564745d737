import CMPI

/// The bytes of one received message, in memory this value owns: what a C program gets
/// from `malloc` plus `MPI_Mrecv`, at the same cost.
///
/// An `[UInt8]` per message costs a reference-counted allocation (about 34 ns here against
/// 6 ns for `malloc`/`free`), which is a third of a small message's latency. This
/// noncopyable buffer has no reference count: it is freed where its owner ends. Read it in
/// place with ``withUnsafeBytes(_:)`` or by index, decode it with `BinaryDecoder`, or copy
/// it out with ``array`` when an array is what the caller keeps.
///
/// ```swift
/// let message = try world.receiveBytes(from: 0, tag: 7)
/// let total = message.withUnsafeBytes { $0.reduce(0) { $0 + Int($1) } }
/// ```
///
/// Source: MPI 3.1 §3.8.2–3 (`MPI_Mprobe`, `MPI_Mrecv`); the owned-buffer design follows
/// rsmpi's `Vec<u8>` receives and Boost.MPI's, without Swift's array reference count.
public struct ReceivedBytes: ~Copyable, @unchecked Sendable {
    /// The receive's status: source, tag and ``Status/byteCount``.
    public let status: Status
    @usableFromInline let storage: UnsafeMutableRawBufferPointer

    @usableFromInline
    init(status: Status, storage: UnsafeMutableRawBufferPointer) {
        self.status = status
        self.storage = storage
    }

    /// The number of bytes.
    @inlinable public var count: Int { storage.count }

    /// Whether the message was empty.
    @inlinable public var isEmpty: Bool { storage.isEmpty }

    /// The byte at `index` (0 ..< ``count``).
    @inlinable public subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < storage.count, "index \(index) out of 0..<\(storage.count)")
        return storage.load(fromByteOffset: index, as: UInt8.self)
    }

    /// Calls `body` with the bytes, valid only during the call.
    @inlinable
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(storage))
    }

    /// A copy of the bytes as an array.
    public var array: [UInt8] { Array(UnsafeRawBufferPointer(storage)) }

    deinit { storage.deallocate() }
}

extension Message {
    /// Receives the message into a new ``ReceivedBytes`` of exactly ``Status/byteCount``
    /// bytes.
    ///
    /// - Returns: the bytes, with the receive's status.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.8.3, `MPI_Mrecv`.
    @inlinable
    public consuming func receiveBytes() throws(MPIError) -> ReceivedBytes {
        let (message, probed) = take()
        let size = probed.byteCount
        // One byte at least: a zero-byte allocation may return nil, which MPI_Mrecv accepts
        // only for a zero count.
        let allocation = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
        let storage = UnsafeMutableRawBufferPointer(start: allocation.baseAddress, count: size)
        do {
            return ReceivedBytes(status: try Self.receive(message, probed, into: storage), storage: storage)
        } catch {
            allocation.deallocate()
            throw error
        }
    }
}

extension Communicator {
    /// Receives a message of unknown size into a new ``ReceivedBytes``, race-free: a matched
    /// probe, then a receive of exactly that message.
    ///
    /// - Parameters:
    ///   - source: the sender's rank, or ``anySource``.
    ///   - tag: the tag, or ``anyTag``.
    /// - Returns: the bytes and their status (source, tag, byte count).
    /// - Throws: ``MPIError`` (`MPI_ERR_RANK`, `MPI_ERR_TAG`).
    /// Source: MPI 3.1 §3.8.2 (`MPI_Mprobe`) and §3.8.3 (`MPI_Mrecv`).
    @inlinable
    public func receiveBytes(from source: Int = Communicator.anySource,
                             tag: Int32 = Communicator.anyTag) throws(MPIError) -> ReceivedBytes {
        try matchedProbe(from: source, tag: tag).receiveBytes()
    }
}
