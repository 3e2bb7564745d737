import CMPI
import CMPIShims

/// A predefined reduction operation for ``Communicator/reduce(_:operation:root:)`` and friends.
///
/// Arithmetic ops apply to integers and floats; logical ops to `Bool` and integers; bitwise
/// ops to integers; ``minLoc`` and ``maxLoc`` to ``LocatedValue``. A mismatch fails with
/// `MPI_ERR_OP`.
///
/// Source: MPI 3.1 §5.9.2 (predefined reduction operations), §5.9.4 (MINLOC and MAXLOC).
public struct ReductionOperation: @unchecked Sendable {
    /// The C handle, such as `MPI_SUM`.
    public let handle: MPI_Op
    /// The C name, such as `"MPI_SUM"`, for error context (MPI 3.1 §5.9.2).
    public let name: String

    init(_ handle: MPI_Op, _ name: String) {
        self.handle = handle
        self.name = name
    }

    /// `MPI_SUM`.
    public static var sum: ReductionOperation { .init(cmpi_sum(), "MPI_SUM") }
    /// `MPI_PROD`.
    public static var product: ReductionOperation { .init(cmpi_prod(), "MPI_PROD") }
    /// `MPI_MIN`.
    public static var min: ReductionOperation { .init(cmpi_min(), "MPI_MIN") }
    /// `MPI_MAX`.
    public static var max: ReductionOperation { .init(cmpi_max(), "MPI_MAX") }
    /// `MPI_LAND`.
    public static var logicalAnd: ReductionOperation { .init(cmpi_land(), "MPI_LAND") }
    /// `MPI_LOR`.
    public static var logicalOr: ReductionOperation { .init(cmpi_lor(), "MPI_LOR") }
    /// `MPI_LXOR`.
    public static var logicalXor: ReductionOperation { .init(cmpi_lxor(), "MPI_LXOR") }
    /// `MPI_BAND`.
    public static var bitwiseAnd: ReductionOperation { .init(cmpi_band(), "MPI_BAND") }
    /// `MPI_BOR`.
    public static var bitwiseOr: ReductionOperation { .init(cmpi_bor(), "MPI_BOR") }
    /// `MPI_BXOR`.
    public static var bitwiseXor: ReductionOperation { .init(cmpi_bxor(), "MPI_BXOR") }
    /// `MPI_MINLOC`: the minimum value and the smallest location holding it.
    public static var minLoc: ReductionOperation { .init(cmpi_minloc(), "MPI_MINLOC") }
    /// `MPI_MAXLOC`: the maximum value and the smallest location holding it.
    public static var maxLoc: ReductionOperation { .init(cmpi_maxloc(), "MPI_MAXLOC") }
}
