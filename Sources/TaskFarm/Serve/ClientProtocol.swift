import Foundation
import JobSpec

/// The protocol between `taskfarm` clients and a served farm's TCP endpoints (the name
/// server's and the broker's).
///
/// Each message is a frame: a 4-byte big-endian length, then that many bytes of JSON. A
/// connection starts with the client's ``ClientHello`` (the protocol version and the
/// connection file's token) in a frame of at most ``maximumHelloBytes``, which the endpoint
/// answers with a ``ClientResponse`` of id 0: without an error, the connection is
/// authenticated and carries ``ClientRequest``s one way and ``ClientResponse``s the other,
/// in frames of at most ``maximumMessageBytes``. Nothing larger than a hello is read, and
/// nothing is decoded but the hello, before the token is checked. A frame over its limit,
/// or that does not decode, closes its connection; a wrong token or version is answered
/// with an error of kind ``ClientError/Kind-swift.enum/notPermitted`` or
/// ``ClientError/Kind-swift.enum/invalid``, then the connection is closed.
public enum ClientProtocol {
    /// The protocol version; a hello of another version is refused. Version 2 moved the
    /// token from every request into the hello.
    public static let version = 2
    /// The largest first frame (the hello) accepted, in bytes, before the token is checked.
    public static let maximumHelloBytes = 4 << 10
    /// The largest frame accepted once authenticated, in bytes (16 MiB: about 100,000
    /// submitted commands).
    public static let maximumMessageBytes = 16 << 20
}

/// The first frame of every connection: who the client is.
public struct ClientHello: Codable, Sendable, Equatable {
    /// The protocol version the client speaks (``ClientProtocol/version``).
    public var version: Int
    /// The connection file's token.
    public var token: String

    /// A hello of the current protocol version carrying `token`.
    public init(token: String) {
        version = ClientProtocol.version
        self.token = token
    }
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
        /// Broker: the state folder's path, once the journal is written out, so that a client
        /// reads a task's story and output files from the shared file system, as `hq job cat` does.
        case stateFolder
        /// Broker: the tasks in ``ClientRequest/ids`` (every task when `nil`) as
        /// ``QueuedTask``s, the next id the queue gives, and the workers' machine ads: what the
        /// scheduler front ends (`qstat`, `squeue`, `condor_q`, `condor_status`, DRMAA) show.
        case tasks
    }

    /// The protocol version the client speaks (``ClientProtocol/version``).
    public var version: Int
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
    /// `submit`: the id the first task must get; when the queue has moved on (another
    /// client submitted first) the submission is refused with ``ClientError/Kind-swift.enum/tryLater``
    /// and nothing is queued. Front ends whose job ids are written into the tasks (`PBS_JOBID`)
    /// read the next id (``Operation/tasks``), build the tasks, and submit with it.
    public var expectedFirst: Int?
    /// `tasks`: explain why each pending task has not started (`condor_q -better-analyze`).
    public var analyze: Bool?

    /// A request of the current protocol version.
    public init(id: Int = 1, operation: Operation, name: String? = nil, value: String? = nil,
                timeout: Double? = nil,
                tasks: [SubmittedTask]? = nil, ids: [Int]? = nil, json: Bool? = nil, drain: Bool? = nil) {
        version = ClientProtocol.version
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
    /// Ids of tasks that must end first, however they end (PBS and Slurm `afterany`).
    public var afterAny: [Int]?
    /// Ids of tasks that must end without succeeding first (PBS and Slurm `afternotok`);
    /// one that succeeds cancels this task.
    public var afterNotOK: [Int]?
    /// A name for logs and the status report, or `nil`.
    public var name: String?

    /// A task to submit.
    public init(spec: TaskSpec, after: [Int] = [], afterAny: [Int]? = nil, afterNotOK: [Int]? = nil,
                name: String? = nil) {
        self.spec = spec
        self.after = after
        self.afterAny = afterAny
        self.afterNotOK = afterNotOK
        self.name = name
    }

    /// Every parent with the condition it must meet.
    public var parents: [QueueDependencies.Parent] {
        after.map { .init(id: $0, condition: .ok) } + (afterAny ?? []).map { .init(id: $0, condition: .any) }
            + (afterNotOK ?? []).map { .init(id: $0, condition: .notOK) }
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
    /// What kind of error ``error`` is (the client's exit status follows it), or `nil` for
    /// one of no particular kind.
    public var errorKind: ClientError.Kind?
    /// `broker`/`lookup`: the address; `status`: the report.
    public var text: String?
    /// `submit`: the new tasks' ids.
    public var ids: [Int]?
    /// `wait`: how each task ended.
    public var results: [TaskResult]?
    /// `list`: names and values.
    public var entries: [String: String]?
    /// `tasks`: the tasks asked for.
    public var tasks: [QueuedTask]?
    /// `tasks`: the id the next submitted task gets.
    public var nextID: Int?
    /// `tasks`: each worker's machine ad, attribute name to ClassAd literal (`"node1"`, `4`).
    public var machines: [[String: String]]?

    /// A response of the current protocol version.
    public init(id: Int, error: String? = nil, errorKind: ClientError.Kind? = nil, text: String? = nil, ids: [Int]? = nil,
                results: [TaskResult]? = nil, entries: [String: String]? = nil, tasks: [QueuedTask]? = nil,
                nextID: Int? = nil, machines: [[String: String]]? = nil) {
        version = ClientProtocol.version
        self.id = id
        self.error = error
        self.errorKind = errorKind
        self.text = text
        self.ids = ids
        self.results = results
        self.entries = entries
        self.tasks = tasks
        self.nextID = nextID
        self.machines = machines
    }
}

/// A problem talking to a served farm, in words for the user, and of what kind, which
/// gives a client command its exit status (sysexits).
public struct ClientError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem it is.
    public enum Kind: String, Codable, Sendable {
        /// No farm answers there: the connection file is missing, the address refuses, the
        /// farm closed the connection or is shutting down (69, `EX_UNAVAILABLE`).
        case unavailable
        /// The token is wrong, or the connection file is not the user's own or is open to
        /// others (77, `EX_NOPERM`).
        case notPermitted
        /// The request or the file is not acceptable: a task the farm refuses, an unknown
        /// id, a connection file that is not one (65, `EX_DATAERR`).
        case invalid
        /// A file could not be created (73, `EX_CANTCREAT`).
        case cannotCreate
        /// The queue moved while the request was prepared (a submission's
        /// ``ClientRequest/expectedFirst``): prepare it again (75, `EX_TEMPFAIL`).
        case tryLater
        /// Anything else (70).
        case failed
    }

    /// What went wrong, naming the file or address concerned.
    public var message: String
    /// What kind of problem it is.
    public var kind: Kind
    /// An error with `message`, of `kind`.
    public init(_ message: String, kind: Kind = .failed) {
        self.message = message
        self.kind = kind
    }
    /// The message.
    public var description: String { message }

    /// The exit status a client command ends with: 69, 77, 65, 73 or 70 by ``kind``.
    public var exitStatus: ExitStatus {
        switch kind {
        case .unavailable: return .unavailable
        case .notPermitted: return .noPermission
        case .invalid: return .badJobFile
        case .cannotCreate: return .cannotCreate
        case .tryLater: return .interrupted
        case .failed: return .internalError
        }
    }
}
