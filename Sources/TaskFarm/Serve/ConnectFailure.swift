import NIOCore
import NIOPosix
import SystemPackage

/// Why a client could not reach a farm, in the system's words ("Connection refused", "No
/// route to host"), instead of SwiftNIO's description of its connection attempts.
enum ConnectFailure {
    /// The reason behind `error`, as `connect(2)` or the resolver gave it.
    static func reason(_ error: any Error) -> String {
        if let failure = error as? NIOConnectionError {
            if let resolver = failure.dnsAError ?? failure.dnsAAAAError {
                return "cannot resolve \(failure.host): \(reason(resolver))"
            }
            guard let first = failure.connectionErrors.first else { return "no address to connect to" }
            return reason(first.error)
        }
        if let io = error as? IOError { return Errno(rawValue: io.errnoCode).description }
        if let channel = error as? ChannelError, case .connectTimeout = channel { return "no answer within the connect timeout" }
        return "\(error)"
    }
}
