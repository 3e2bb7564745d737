import CMPI
import CMPIShims

extension Communicator {
    /// Blocks until every rank of the communicator has called it.
    ///
    /// - Throws: ``MPIError``. Source: MPI 3.1 §5.3, `MPI_Barrier`.
    public func barrier() throws(MPIError) {
        try check(MPI_Barrier(handle), "MPI_Barrier")
    }

    /// Broadcasts `values` from `root` to every rank. On the root, `values` is sent; on
    /// the other ranks it is replaced by the root's array. Every rank must pass an array
    /// of the same count.
    ///
    /// - Parameters:
    ///   - values: the buffer, `count` elements on every rank.
    ///   - root: the sending rank.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §5.4, `MPI_Bcast`.
    public func broadcast<T: BitwiseCopyable>(_ values: inout [T], root: Int) throws(MPIError) {
        let byteCount = values.count * MemoryLayout<T>.stride
        let code = values.withUnsafeMutableBytes { raw in
            MPI_Bcast(raw.baseAddress, Int32(byteCount), cmpi_byte(), Int32(root), handle)
        }
        try check(code, "MPI_Bcast", context: "root \(root), \(byteCount) bytes")
    }
}
