/// The memory a nonblocking operation reads from or writes into. It lives at least as long
/// as the ``Request`` that uses it, so the C library never sees a dangling pointer whatever
/// the caller does with its own values.
///
/// Three kinds: storage it allocated (receives), an array it retains (zero-copy sends), and
/// caller-managed memory (the `unsafe:` variants, where the caller promises the lifetime).
final class RequestBuffer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let byteCount: Int
    private let allocated: Bool
    private let owner: Any?

    /// Fresh storage of `byteCount` bytes, freed with the buffer.
    init(byteCount: Int) {
        self.byteCount = byteCount
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 16)
        allocated = true
        owner = nil
    }

    /// Borrows the storage of `values` without copying. A native Swift array's storage does
    /// not move or change while this reference keeps it alive: a caller that later mutates
    /// its own copy triggers copy-on-write and gets fresh storage.
    init<T: BitwiseCopyable>(retaining values: [T]) {
        byteCount = values.count * MemoryLayout<T>.stride
        let base = values.withUnsafeBytes { $0.baseAddress }
        if let base, byteCount > 0 {
            pointer = UnsafeMutableRawPointer(mutating: base)
            allocated = false
        } else {
            pointer = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 16)
            allocated = true
        }
        owner = values
    }

    /// Memory the caller owns and keeps valid until the request completes.
    init(unmanaged pointer: UnsafeMutableRawPointer?, byteCount: Int) {
        self.byteCount = byteCount
        if let pointer {
            self.pointer = pointer
            allocated = false
        } else {
            self.pointer = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 16)
            allocated = true
        }
        owner = nil
    }

    /// The first `count` elements of `T` stored here.
    func values<T: BitwiseCopyable>(_ type: T.Type, count: Int) -> [T] {
        let count = min(count, byteCount / MemoryLayout<T>.stride)
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawPointer(buffer.baseAddress)?.copyMemory(from: pointer, byteCount: count * MemoryLayout<T>.stride)
            initialized = count
        }
    }

    deinit { if allocated { pointer.deallocate() } }
}
