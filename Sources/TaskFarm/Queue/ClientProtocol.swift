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

    public var version: Int
    public var token: String
    /// Echoed in the response, so one connection can carry several requests.
    public var id: Int
    public var operation: Operation
    public var name: String?
    /// The value to bind, for `register`.
    public var value: String?
    public var timeout: Double?
    public var tasks: [SubmittedTask]?
    public var ids: [Int]?
    public var json: Bool?
    public var drain: Bool?

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

    public init(spec: TaskSpec, after: [Int] = [], name: String? = nil) {
        self.spec = spec
        self.after = after
        self.name = name
    }
}

/// How a task ended, in a `wait` response.
public struct TaskResult: Codable, Sendable, Equatable {
    public var id: Int
    /// ``TaskState`` description: `succeeded`, `failed`, `timed out`, `cancelled`.
    public var state: String
    public var exitCode: Int?
    public var signal: Int?
    public var message: String?

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
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
