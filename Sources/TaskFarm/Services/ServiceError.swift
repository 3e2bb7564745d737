/// Why a service call failed. It crosses the wire from the worker that ran the service to
/// the caller, so a service that throws never takes a rank down.
public struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Kind: Int, Sendable {
        /// The service's handler threw; ``ServiceError/message`` is the error's description
        /// and ``ServiceError/errorType`` its type.
        case serviceThrew = 0
        /// No worker offers a service of that name.
        case noSuchService = 1
        /// The input could not be encoded, or the service could not decode it.
        case badInput = 2
        /// The output could not be encoded, or the caller could not decode it.
        case badOutput = 3
        /// The farm stopped before the call was answered.
        case stopped = 4
        /// A name-server lookup found nothing in time.
        case notFound = 5
        /// An argument of the client's method is out of its range (a `chunkSize` below 1,
        /// a negative or NaN timeout), as Python raises `ValueError`; nothing was sent.
        case invalidArgument = 6
    }

    /// What kind of failure.
    public var kind: Kind
    /// The service called.
    public var service: String
    /// What went wrong, in words.
    public var message: String
    /// For ``Kind/serviceThrew``: the thrown error's type, such as `MyModel.DivergedError`.
    public var errorType: String?
    /// For a `map`: the index, in the map's inputs, of the input whose call failed (the
    /// first failing one in input order); nil for a single call, or when a chunk failed as
    /// a whole (its input or output did not code, or the farm stopped). Between ranks it
    /// is the input's place in its chunk, made absolute by the caller.
    public var inputIndex: Int?

    /// An error of `kind` in a call of `service`.
    public init(_ kind: Kind, service: String, message: String, errorType: String? = nil, inputIndex: Int? = nil) {
        self.kind = kind
        self.service = service
        self.message = message
        self.errorType = errorType
        self.inputIndex = inputIndex
    }

    /// The error in words, naming the service.
    public var description: String {
        switch kind {
        case .serviceThrew: return "service \(service) threw \(errorType ?? "an error"): \(message)"
        case .noSuchService: return "no worker offers the service \(service)"
        case .badInput: return "service \(service): bad input: \(message)"
        case .badOutput: return "service \(service): bad output: \(message)"
        case .stopped: return "service \(service): the farm stopped before it answered"
        case .notFound: return message
        case .invalidArgument: return "service \(service): \(message)"
        }
    }
}
