import Foundation
import JobSpec

/// The protocol between `taskfarm` clients and a served farm's TCP endpoints (the name
/// server's and the broker's).
///
/// Each message is a frame: a 4-byte big-endian length, then that many bytes of JSON (a
/// ``ClientRequest`` one way, a ``ClientResponse`` the other). A frame longer than
/// ``maximumMessageBytes``, or that does not decode, closes its connection. Every request
/// names the ``version`` it speaks and carries the connection file's token.
public enum ClientProtocol {
    /// The protocol version; a request of another version is refused.
    public static let version = 1
    /// The largest frame accepted, in bytes (16 MiB: about 100,000 submitted commands).
    public static let maximumMessageBytes = 16 << 20
}

/// A client's request. Which fields matter depends on ``operation``.
public struct ClientRequest: Codable, Sendable, Equatable {
    /// What the client asks for.
    public enum Operation: String, Codable, Sendable {
        /// Name server: where the broker listens.
        case broker
        /// Name server: the value bound to ``ClientRequest/name``, waiting up to ``ClientRequest/timeout`` seconds.
        case lookup
        /// Name server: every name starting with ``ClientRequest/name``.
        case list
        /// Name server: bind ``ClientRequest/name`` to ``ClientRequest/value``.
        case register
        /// Name server: remove ``ClientRequest/name``.
        case unregister
        /// Broker: queue ``ClientRequest/tasks``; the reply holds their ids.
        case submit
        /// Broker: reply when every task in ``ClientRequest/ids`` has ended.
        case wait
        /// Broker: the status report, as text or (``ClientRequest/json``) JSON.
        case status
        /// Broker: cancel the tasks in ``ClientRequest/ids``.
        case cancel
        /// Broker: end the farm; ``ClientRequest/drain`` lets running tasks finish.
        case shutdown
        /// Broker: call the Swift service ``ClientRequest/name`` with the JSON input
        /// ``ClientRequest/value``; the answer's text is the JSON output.
        case call
    }

    /// The protocol version the client speaks (``ClientProtocol/version``).
    public var version: Int
    /// The connection file's token; a request without the farm's is refused.
    public var token: String
    /// Echoed in the response, so one connection can carry several requests.
    public var id: Int
    /// What is asked.
    public var operation: Operation
    /// The name looked up, listed (as a prefix), registered or called.
    public var name: String?
    /// The value to bind, for `register`.
    public var value: String?
    /// `lookup`: seconds to wait for the name to appear (0: answer at once).
    public var timeout: Double?
    /// `submit`: the tasks, queued as one array.
    public var tasks: [SubmittedTask]?
    /// `wait`, `cancel`: task ids.
    public var ids: [Int]?
    /// `status`: JSON instead of text.
    public var json: Bool?
    /// `shutdown`: let running tasks finish.
    public var drain: Bool?

    /// A request of the current protocol version.
    public init(token: String, id: Int = 1, operation: Operation, name: String? = nil, value: String? = nil,
                timeout: Double? = nil,
                tasks: [SubmittedTask]? = nil, ids: [Int]? = nil, json: Bool? = nil, drain: Bool? = nil) {
        version = ClientProtocol.version
        self.token = token
        self.id = id
        self.operation = operation
        self.name = name
        self.value = value
        self.timeout = timeout
        self.tasks = tasks
        self.ids = ids
        self.json = json
        self.drain = drain
    }
}

/// One task in a submit request: what runs, and which earlier tasks it waits for.
public struct SubmittedTask: Codable, Sendable, Equatable {
    /// The task; its position is assigned by the broker.
    public var spec: TaskSpec
    /// Ids of tasks that must succeed first (PBS `afterok`); a failed one cancels this task.
    public var after: [Int]
    /// A name for logs and the status report, or `nil`.
    public var name: String?

    /// A task to submit.
    public init(spec: TaskSpec, after: [Int] = [], name: String? = nil) {
        self.spec = spec
        self.after = after
        self.name = name
    }
}

/// How a task ended, in a `wait` response.
public struct TaskResult: Codable, Sendable, Equatable {
    /// The task's id (its position in the queue).
    public var id: Int
    /// ``TaskState`` description: `succeeded`, `failed`, `timed out`, `cancelled`.
    public var state: String
    /// The exit status of its last attempt, when it exited.
    public var exitCode: Int?
    /// The signal that ended its last attempt, if one did.
    public var signal: Int?
    /// Why it failed, was cancelled or could not start.
    public var message: String?

    /// An end as the broker reports it.
    public init(id: Int, state: String, exitCode: Int? = nil, signal: Int? = nil, message: String? = nil) {
        self.id = id
        self.state = state
        self.exitCode = exitCode
        self.signal = signal
        self.message = message
    }
}

/// An endpoint's answer to a ``ClientRequest``.
public struct ClientResponse: Codable, Sendable, Equatable {
    /// The protocol version of the endpoint.
    public var version: Int
    /// The request's id.
    public var id: Int
    /// `nil` on success, else what went wrong, in words.
    public var error: String?
    /// `broker`/`lookup`: the address; `status`: the report.
    public var text: String?
    /// `submit`: the new tasks' ids.
    public var ids: [Int]?
    /// `wait`: how each task ended.
    public var results: [TaskResult]?
    /// `list`: names and values.
    public var entries: [String: String]?

    /// A response of the current protocol version.
    public init(id: Int, error: String? = nil, text: String? = nil, ids: [Int]? = nil, results: [TaskResult]? = nil,
                entries: [String: String]? = nil) {
        version = ClientProtocol.version
        self.id = id
        self.error = error
        self.text = text
        self.ids = ids
        self.results = results
        self.entries = entries
    }
}

/// A problem talking to a served farm, in words for the user.
public struct ClientError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the file or address concerned.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
