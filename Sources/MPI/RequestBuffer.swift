/// Heap storage that a nonblocking operation reads from or writes into; it lives at
/// least as long as the ``Request`` that uses it, so the C library never sees a dangling
/// pointer whatever the caller does with its own arrays.
final class RequestBuffer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let byteCount: Int

    init(byteCount: Int) {
        self.byteCount = byteCount
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 16)
    }

    convenience init<T: BitwiseCopyable>(copying values: [T]) {
        self.init(byteCount: values.count * MemoryLayout<T>.stride)
        values.withUnsafeBytes { raw in
            if let base = raw.baseAddress { pointer.copyMemory(from: base, byteCount: byteCount) }
        }
    }

    /// The first `count` elements of `T` stored here.
    func values<T: BitwiseCopyable>(_ type: T.Type, count: Int) -> [T] {
        let typed = pointer.assumingMemoryBound(to: T.self)
        return Array(UnsafeBufferPointer(start: typed, count: min(count, byteCount / MemoryLayout<T>.stride)))
    }

    deinit { pointer.deallocate() }
}
