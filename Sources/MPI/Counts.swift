import CMPI

/// MPI 3.1 counts are C `int`s: checks that a Swift count fits before the C call.
@inlinable
func cCount(_ count: Int, _ routine: String, _ what: String = "count") throws(MPIError) -> Int32 {
    guard let value = Int32(exactly: count), value >= 0 else {
        throw MPIError(.count, routine: routine,
                       context: "\(what) \(count) is outside 0...\(Int32.max) (MPI 3.1 counts are C ints)")
    }
    return value
}

/// The byte count of `count` values of `T`, checked to fit in an `int`.
@inlinable
func cByteCount<T>(_ type: T.Type, _ count: Int, _ routine: String) throws(MPIError) -> Int32 {
    try cCount(count * MemoryLayout<T>.stride, routine, "byte count")
}
