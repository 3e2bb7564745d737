import CMPI
import CMPIShims

/// An error returned by an MPI routine, or a misuse this module detects before calling MPI.
///
/// Every C call in this module goes through ``check(_:_:context:)``, or, where the Swift API
/// has no error to throw (a communicator's rank, a status's count), through
/// ``checkPrecondition(_:_:)``, which names the precondition the call relies on. So an MPI
/// failure always surfaces as an `MPIError`, never as a silently wrong value: ``MPI/initialize(threadLevel:)``
/// installs `MPI_ERRORS_RETURN` on the world and self communicators, and derived
/// communicators inherit it (MPI 3.1 §8.3.1).
///
/// The description names the routine, MPI's error class (`MPI_ERR_RANK`), MPI's own string
/// and the Swift context, for example:
/// `MPI_Recv failed: MPI_ERR_RANK: invalid rank: receive from rank 9 tag 0, 8 bytes
/// (communicator size 4, valid ranks 0...3)`.
///
/// Source: MPI 3.1 §8.3 (error handlers), §8.4 (error codes and classes),
/// `MPI_Error_class`, `MPI_Error_string`.
public struct MPIError: Error, Sendable, CustomStringConvertible {
    /// The raw error code returned by the C routine (MPI 3.1 §8.4; `MPI_SUCCESS` is never thrown).
    public let code: Int32
    /// The error class (`MPI_ERR_RANK`, `MPI_ERR_TAG`, ...), from `MPI_Error_class`.
    /// Compare it with ``Class`` constants through ``kind``.
    public let errorClass: Int32
    /// The C routine that failed, such as `"MPI_Send"` (MPI 3.1 §8.4).
    public let routine: String
    /// MPI's own message for the code, from `MPI_Error_string`.
    public let message: String
    /// Extra Swift context: which argument, which peer, which communicator size. Not from
    /// `MPI_Error_string`; `nil` when MPI's message says it all.
    public let context: String?

    @usableFromInline
    init(code: Int32, routine: String, context: String? = nil) {
        self.code = code
        self.routine = routine
        self.context = context
        var cls: Int32 = code
        if MPI_Error_class(code, &cls) != MPI_SUCCESS { cls = code }
        self.errorClass = cls
        var buffer = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
        var length: Int32 = 0
        if MPI_Error_string(code, &buffer, &length) == MPI_SUCCESS {
            self.message = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        } else {
            self.message = "unknown MPI error \(code)"
        }
    }

    /// A misuse detected in Swift before any C call, reported with the class MPI would use.
    @usableFromInline
    init(_ errorClass: Class, routine: String, context: String) {
        self.init(code: errorClass.rawValue, routine: routine, context: context)
    }

    /// The error class as a typed value, for `switch` and `==` (`MPI_Error_class`, MPI 3.1 §8.4).
    public var kind: Class { Class(rawValue: errorClass) }

    /// `"<routine> failed: <MPI_ERR_CLASS>: <MPI's message>: <context>"` (`MPI_Error_string`, MPI 3.1 §8.4).
    public var description: String {
        // Open MPI's strings already start with the class name ("MPI_ERR_RANK: invalid rank").
        var text = message.hasPrefix(kind.name) ? "\(routine) failed: \(message)" : "\(routine) failed: \(kind.name): \(message)"
        if let context { text += ": \(context)" }
        return text
    }

    /// An MPI error class, the portable category of an error code.
    ///
    /// Source: MPI 3.1 §8.4, Table 8.1 (error classes), `MPI_Error_class`.
    public struct Class: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The C value, such as `MPI_ERR_RANK` (6 in Open MPI).
        public let rawValue: Int32
        /// Wraps a C error class value (`MPI_ERR_*`, MPI 3.1 §8.4).
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// `MPI_SUCCESS`: no error.
        public static let success = Class(rawValue: Int32(MPI_SUCCESS))
        /// `MPI_ERR_BUFFER`: invalid buffer pointer.
        public static let buffer = Class(rawValue: Int32(MPI_ERR_BUFFER))
        /// `MPI_ERR_COUNT`: invalid count argument.
        public static let count = Class(rawValue: Int32(MPI_ERR_COUNT))
        /// `MPI_ERR_TYPE`: invalid datatype.
        public static let type = Class(rawValue: Int32(MPI_ERR_TYPE))
        /// `MPI_ERR_TAG`: invalid tag (negative, other than `MPI_ANY_TAG`, or above `MPI_TAG_UB`).
        public static let tag = Class(rawValue: Int32(MPI_ERR_TAG))
        /// `MPI_ERR_COMM`: invalid communicator.
        public static let comm = Class(rawValue: Int32(MPI_ERR_COMM))
        /// `MPI_ERR_RANK`: rank outside `0..<size` and not a wildcard.
        public static let rank = Class(rawValue: Int32(MPI_ERR_RANK))
        /// `MPI_ERR_REQUEST`: invalid request, or an operation the request does not allow.
        public static let request = Class(rawValue: Int32(MPI_ERR_REQUEST))
        /// `MPI_ERR_ROOT`: invalid root rank.
        public static let root = Class(rawValue: Int32(MPI_ERR_ROOT))
        /// `MPI_ERR_OP`: invalid reduction operation, or one undefined for the datatype.
        public static let op = Class(rawValue: Int32(MPI_ERR_OP))
        /// `MPI_ERR_ARG`: invalid argument of some other kind.
        public static let argument = Class(rawValue: Int32(MPI_ERR_ARG))
        /// `MPI_ERR_UNKNOWN`: unknown error.
        public static let unknown = Class(rawValue: Int32(MPI_ERR_UNKNOWN))
        /// `MPI_ERR_TRUNCATE`: the message is longer than the receive buffer.
        public static let truncate = Class(rawValue: Int32(MPI_ERR_TRUNCATE))
        /// `MPI_ERR_OTHER`: known error not in this list.
        public static let other = Class(rawValue: Int32(MPI_ERR_OTHER))
        /// `MPI_ERR_INTERN`: internal MPI error.
        public static let `internal` = Class(rawValue: Int32(MPI_ERR_INTERN))
        /// `MPI_ERR_IN_STATUS`: see the per-request statuses of a multiple-completion call.
        public static let inStatus = Class(rawValue: Int32(MPI_ERR_IN_STATUS))
        /// `MPI_ERR_PENDING`: a request of a multiple-completion call is still pending.
        public static let pending = Class(rawValue: Int32(MPI_ERR_PENDING))
        /// `MPI_ERR_NAME`: the service name is not published.
        public static let name = Class(rawValue: Int32(MPI_ERR_NAME))
        /// `MPI_ERR_PORT`: invalid port name.
        public static let port = Class(rawValue: Int32(MPI_ERR_PORT))
        /// `MPI_ERR_SERVICE`: invalid service name in `MPI_Unpublish_name`.
        public static let service = Class(rawValue: Int32(MPI_ERR_SERVICE))
        /// `MPI_ERR_UNSUPPORTED_OPERATION`: the implementation does not support the operation.
        public static let unsupportedOperation = Class(rawValue: Int32(MPI_ERR_UNSUPPORTED_OPERATION))

        /// The names of the classes the standard defines, keyed by the library's own values
        /// of the C constants (never by one implementation's numbers).
        private static let names: [Int32: String] = {
            let classes: [(Int32, String)] = [
                (MPI_SUCCESS, "MPI_SUCCESS"), (MPI_ERR_BUFFER, "MPI_ERR_BUFFER"), (MPI_ERR_COUNT, "MPI_ERR_COUNT"),
                (MPI_ERR_TYPE, "MPI_ERR_TYPE"), (MPI_ERR_TAG, "MPI_ERR_TAG"), (MPI_ERR_COMM, "MPI_ERR_COMM"),
                (MPI_ERR_RANK, "MPI_ERR_RANK"), (MPI_ERR_REQUEST, "MPI_ERR_REQUEST"), (MPI_ERR_ROOT, "MPI_ERR_ROOT"),
                (MPI_ERR_GROUP, "MPI_ERR_GROUP"), (MPI_ERR_OP, "MPI_ERR_OP"), (MPI_ERR_TOPOLOGY, "MPI_ERR_TOPOLOGY"),
                (MPI_ERR_DIMS, "MPI_ERR_DIMS"), (MPI_ERR_ARG, "MPI_ERR_ARG"), (MPI_ERR_UNKNOWN, "MPI_ERR_UNKNOWN"),
                (MPI_ERR_TRUNCATE, "MPI_ERR_TRUNCATE"), (MPI_ERR_OTHER, "MPI_ERR_OTHER"),
                (MPI_ERR_INTERN, "MPI_ERR_INTERN"), (MPI_ERR_IN_STATUS, "MPI_ERR_IN_STATUS"),
                (MPI_ERR_PENDING, "MPI_ERR_PENDING"), (MPI_ERR_NAME, "MPI_ERR_NAME"), (MPI_ERR_NO_MEM, "MPI_ERR_NO_MEM"),
                (MPI_ERR_NOT_SAME, "MPI_ERR_NOT_SAME"), (MPI_ERR_PORT, "MPI_ERR_PORT"),
                (MPI_ERR_SERVICE, "MPI_ERR_SERVICE"), (MPI_ERR_SPAWN, "MPI_ERR_SPAWN"),
                (MPI_ERR_UNSUPPORTED_OPERATION, "MPI_ERR_UNSUPPORTED_OPERATION"),
            ]
            return Dictionary(classes, uniquingKeysWith: { first, _ in first })
        }()

        /// The C macro name, such as `"MPI_ERR_RANK"` (MPI 3.1 §8.4), or `"MPI error class N"`.
        public var name: String { Self.names[rawValue] ?? "MPI error class \(rawValue)" }
        /// Same as ``name``, the `MPI_ERR_*` macro name.
        public var description: String { name }
    }
}

/// The single chokepoint for C return codes: throws ``MPIError`` unless `code` is `MPI_SUCCESS`.
/// `routine` and `context` are only evaluated on failure.
@inlinable @inline(__always)
func check(_ code: Int32, _ routine: @autoclosure () -> String,
           context: @autoclosure () -> String? = nil) throws(MPIError) {
    if code != MPI_SUCCESS {
        throw MPIError(code: code, routine: routine(), context: context())
    }
}

/// The chokepoint for C calls whose Swift API throws nothing because they cannot fail while
/// the precondition the caller documents holds (a valid communicator or status, MPI
/// initialized where required): a failure means that precondition was broken, a bug in the
/// program, so it traps with the ``MPIError`` description rather than return a wrong value.
@inlinable @inline(__always)
func checkPrecondition(_ code: Int32, _ routine: @autoclosure () -> String) {
    if code != MPI_SUCCESS {
        preconditionFailure("\(MPIError(code: code, routine: routine()))")
    }
}
