import CMPI
import CMPIShims

/// An error returned by an MPI routine.
///
/// Every C call in this module goes through ``check(_:_:)``, so an MPI failure always
/// surfaces as an `MPIError` rather than aborting the process (the communicators this
/// module hands out have `MPI_ERRORS_RETURN` installed).
///
/// Source: MPI 3.1 §8.3 (error handlers), §8.4 (error codes and classes),
/// `MPI_Error_class`, `MPI_Error_string`.
public struct MPIError: Error, Sendable, CustomStringConvertible {
    /// The raw error code returned by the C routine.
    public let code: Int32
    /// The error class (`MPI_ERR_RANK`, `MPI_ERR_TAG`, ...), from `MPI_Error_class`.
    public let errorClass: Int32
    /// The C routine that failed, such as `"MPI_Send"`.
    public let routine: String
    /// MPI's own message for the code, from `MPI_Error_string`.
    public let message: String
    /// Extra Swift context: which argument, which peer.
    public let context: String?

    init(code: Int32, routine: String, context: String? = nil) {
        self.code = code
        self.routine = routine
        self.context = context
        var cls: Int32 = code
        _ = MPI_Error_class(code, &cls)
        self.errorClass = cls
        var buffer = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
        var length: Int32 = 0
        if MPI_Error_string(code, &buffer, &length) == MPI_SUCCESS {
            self.message = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        } else {
            self.message = "unknown MPI error \(code)"
        }
    }

    public var description: String {
        var text = "\(routine) failed: \(message) (class \(errorClass))"
        if let context { text += ": \(context)" }
        return text
    }
}

/// The single chokepoint for C return codes: throws ``MPIError`` unless `code` is `MPI_SUCCESS`.
@inline(__always)
func check(_ code: Int32, _ routine: @autoclosure () -> String, context: @autoclosure () -> String? = nil) throws(MPIError) {
    if code != MPI_SUCCESS {
        throw MPIError(code: code, routine: routine(), context: context())
    }
}
