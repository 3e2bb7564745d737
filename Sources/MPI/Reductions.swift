import CMPI
import CMPIShims

/// Reductions: combine the ranks' values element-wise with a ``ReductionOperation``.
/// The element type needs an MPI datatype (``MPIDatatype``) so that MPI can compute on it.
extension Communicator {
    /// Combines every rank's `values` element-wise; the root gets the result.
    ///
    /// - Parameters:
    ///   - values: the same count on every rank.
    ///   - operation: such as ``ReductionOperation/sum``.
    ///   - root: the rank that receives the result.
    /// - Returns: on the root, `values.count` combined elements; elsewhere `[]`.
    /// - Throws: ``MPIError`` (`MPI_ERR_OP` if the operation does not apply to `T`).
    /// Source: MPI 3.1 §5.9.1, `MPI_Reduce`.
    public func reduce<T: MPIDatatype>(_ values: [T], operation: ReductionOperation, root: Int) throws(MPIError) -> [T] {
        let count = try cCount(values.count, "MPI_Reduce")
        return try filled(rank == root ? values.count : 0, "MPI_Reduce", "\(operation.name) of \(T.self), root \(root)") { out in
            values.withUnsafeBytes { MPI_Reduce($0.baseAddress, out, count, T.mpiDatatype, operation.handle, Int32(root), handle) }
        }
    }

    /// Combines one value per rank; the root gets the result.
    ///
    /// - Returns: the result on the root, `nil` elsewhere.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §5.9.1, `MPI_Reduce`.
    public func reduce<T: MPIDatatype>(_ value: T, operation: ReductionOperation, root: Int) throws(MPIError) -> T? {
        try reduce([value], operation: operation, root: root).first
    }

    /// Combines every rank's `values` element-wise; every rank gets the result.
    ///
    /// - Returns: `values.count` combined elements.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §5.9.6, `MPI_Allreduce`.
    public func allReduce<T: MPIDatatype>(_ values: [T], operation: ReductionOperation) throws(MPIError) -> [T] {
        try combine(values, operation, "MPI_Allreduce", MPI_Allreduce)
    }

    /// Combines one value per rank; every rank gets the result.
    ///
    /// - Throws: ``MPIError``. Source: MPI 3.1 §5.9.6, `MPI_Allreduce`.
    public func allReduce<T: MPIDatatype>(_ value: T, operation: ReductionOperation) throws(MPIError) -> T {
        try allReduce([value], operation: operation)[0]
    }

    /// Inclusive prefix reduction: rank `r` gets the combination of ranks `0...r`.
    ///
    /// - Returns: `values.count` elements.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §5.11.1, `MPI_Scan`.
    public func scan<T: MPIDatatype>(_ values: [T], operation: ReductionOperation) throws(MPIError) -> [T] {
        try combine(values, operation, "MPI_Scan", MPI_Scan)
    }

    /// Inclusive prefix reduction of one value per rank.
    ///
    /// - Throws: ``MPIError``. Source: MPI 3.1 §5.11.1, `MPI_Scan`.
    public func scan<T: MPIDatatype>(_ value: T, operation: ReductionOperation) throws(MPIError) -> T {
        try scan([value], operation: operation)[0]
    }

    /// Exclusive prefix reduction: rank `r > 0` gets the combination of ranks `0..<r`.
    ///
    /// - Returns: `values.count` elements, or `nil` on rank 0 (MPI leaves it undefined there).
    /// - Throws: ``MPIError``. Source: MPI 3.1 §5.11.2, `MPI_Exscan`.
    public func exclusiveScan<T: MPIDatatype>(_ values: [T], operation: ReductionOperation) throws(MPIError) -> [T]? {
        let result = try combine(values, operation, "MPI_Exscan", MPI_Exscan)
        return rank == 0 ? nil : result
    }

    /// Exclusive prefix reduction of one value per rank.
    ///
    /// - Returns: the combination of lower ranks' values, or `nil` on rank 0.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §5.11.2, `MPI_Exscan`.
    public func exclusiveScan<T: MPIDatatype>(_ value: T, operation: ReductionOperation) throws(MPIError) -> T? {
        try exclusiveScan([value], operation: operation)?[0]
    }

    /// The C signature shared by `MPI_Allreduce`, `MPI_Scan` and `MPI_Exscan`: send buffer,
    /// receive buffer, count, datatype, operation, communicator.
    private typealias ElementwiseCall = (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, MPI_Datatype?, MPI_Op?,
                                         MPI_Comm?) -> Int32

    /// Runs one of the element-wise reductions every rank gets a result of, through ``check(_:_:context:)``.
    private func combine<T: MPIDatatype>(_ values: [T], _ operation: ReductionOperation, _ routine: String,
                                         _ call: ElementwiseCall) throws(MPIError) -> [T] {
        let count = try cCount(values.count, routine)
        return try filled(values.count, routine, "\(operation.name) of \(T.self)") { out in
            values.withUnsafeBytes { call($0.baseAddress, out, count, T.mpiDatatype, operation.handle, handle) }
        }
    }
}
