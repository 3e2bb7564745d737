import CMPI
import CMPIShims

/// A Swift type with an equivalent predefined MPI datatype, so that reductions can
/// compute on it (data movement alone works on any `BitwiseCopyable` type, sent as bytes).
///
/// Conforming types: `Int`, `Int8`...`Int64`, `UInt`, `UInt8`...`UInt64`, `Float`, `Double`,
/// `Bool` (as `MPI_C_BOOL`) and ``LocatedValue`` (the `MPI_*_INT` pair types of
/// `MPI_MINLOC`/`MPI_MAXLOC`). This is rsmpi's `Equivalence` idea.
///
/// Source: MPI 3.1 §3.2.2 (message data, Table 3.2) and §5.9.4 (MINLOC and MAXLOC).
public protocol MPIDatatype: BitwiseCopyable {
    /// The predefined MPI datatype with the same layout, such as `MPI_INT64_T`.
    static var mpiDatatype: MPI_Datatype { get }
}

extension Int8: MPIDatatype {
    /// `MPI_INT8_T`.
    public static var mpiDatatype: MPI_Datatype { cmpi_int8() }
}
extension Int16: MPIDatatype {
    /// `MPI_INT16_T`.
    public static var mpiDatatype: MPI_Datatype { cmpi_int16() }
}
extension Int32: MPIDatatype {
    /// `MPI_INT32_T`.
    public static var mpiDatatype: MPI_Datatype { cmpi_int32() }
}
extension Int64: MPIDatatype {
    /// `MPI_INT64_T`.
    public static var mpiDatatype: MPI_Datatype { cmpi_int64() }
}
extension Int: MPIDatatype {
    /// `MPI_INT64_T` (64-bit platforms only).
    public static var mpiDatatype: MPI_Datatype { cmpi_int64() }
}
extension UInt8: MPIDatatype {
    /// `MPI_UINT8_T`.
    public static var mpiDatatype: MPI_Datatype { cmpi_uint8() }
}
extension UInt16: MPIDatatype {
    /// `MPI_UINT16_T`.
    public static var mpiDatatype: MPI_Datatype { cmpi_uint16() }
}
extension UInt32: MPIDatatype {
    /// `MPI_UINT32_T`.
    public static var mpiDatatype: MPI_Datatype { cmpi_uint32() }
}
extension UInt64: MPIDatatype {
    /// `MPI_UINT64_T`.
    public static var mpiDatatype: MPI_Datatype { cmpi_uint64() }
}
extension UInt: MPIDatatype {
    /// `MPI_UINT64_T` (64-bit platforms only).
    public static var mpiDatatype: MPI_Datatype { cmpi_uint64() }
}
extension Float: MPIDatatype {
    /// `MPI_FLOAT`.
    public static var mpiDatatype: MPI_Datatype { cmpi_float() }
}
extension Double: MPIDatatype {
    /// `MPI_DOUBLE`.
    public static var mpiDatatype: MPI_Datatype { cmpi_double() }
}
extension Bool: MPIDatatype {
    /// `MPI_C_BOOL` (one byte, like Swift's `Bool`).
    public static var mpiDatatype: MPI_Datatype { cmpi_c_bool() }
}

/// A value that can be paired with a location in ``LocatedValue``: `Float`, `Double`,
/// `Int32` and `Int` (C `long`), the value halves of MPI's predefined pair types.
///
/// Source: MPI 3.1 §5.9.4, the `MPI_FLOAT_INT`, `MPI_DOUBLE_INT`, `MPI_2INT`, `MPI_LONG_INT` types.
public protocol LocatableValue: MPIDatatype {
    /// The pair datatype `{ Self value; int location; }`.
    static var pairDatatype: MPI_Datatype { get }
}

extension Float: LocatableValue {
    /// `MPI_FLOAT_INT`.
    public static var pairDatatype: MPI_Datatype { cmpi_float_int() }
}
extension Double: LocatableValue {
    /// `MPI_DOUBLE_INT`.
    public static var pairDatatype: MPI_Datatype { cmpi_double_int() }
}
extension Int32: LocatableValue {
    /// `MPI_2INT`.
    public static var pairDatatype: MPI_Datatype { cmpi_2int() }
}
extension Int: LocatableValue {
    /// `MPI_LONG_INT` (C `long` is 64 bits on LP64 Linux).
    public static var pairDatatype: MPI_Datatype { cmpi_long_int() }
}

/// A value and where it came from, for `MPI_MINLOC`/`MPI_MAXLOC` reductions: the result
/// holds the minimum (maximum) value and the smallest location that has it. The location
/// is usually the rank. The layout matches C's `struct { T value; int location; }`.
///
/// Source: MPI 3.1 §5.9.4 (MINLOC and MAXLOC).
public struct LocatedValue<Value: LocatableValue>: MPIDatatype, Equatable where Value: Equatable {
    /// The value compared by the reduction (the `value` member of `MPI_DOUBLE_INT` and kin).
    public var value: Value
    /// The location (a rank, an index), the `int` member of `MPI_DOUBLE_INT` and kin.
    public var location: Int32

    /// Pairs a value with its location. Source: MPI 3.1 §5.9.4.
    public init(value: Value, location: Int32) {
        self.value = value
        self.location = location
    }

    /// Pairs a value with its location given as an `Int` (such as a rank); it must fit an
    /// `int`. Source: MPI 3.1 §5.9.4.
    public init(value: Value, location: Int) {
        self.init(value: value, location: Int32(location))
    }

    /// The pair datatype of `Value`, such as `MPI_DOUBLE_INT`.
    public static var mpiDatatype: MPI_Datatype { Value.pairDatatype }
}
