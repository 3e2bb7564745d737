/// The bounds a served farm's TCP endpoints (the name server's and the broker's) keep, so
/// that no client, and above all none without the token, can exhaust the farm's memory,
/// descriptors or event loop. `taskfarm serve --max-connections`, `--auth-timeout` and
/// `--idle-timeout` set them; docs/task-queue.md lists them.
public struct ClientLimits: Sendable, Equatable {
    /// Connections open at once on each endpoint. When they are all taken, a new connection
    /// replaces the oldest one that has not yet shown the token; when every one has, the new
    /// one is closed at once (as a server's `MaxClients` does).
    public var maximumConnections: Int
    /// Seconds a new connection has to send its hello (the token) before it is closed,
    /// however slowly it sends: a connection that trickles bytes (slowloris) cannot stay.
    public var authenticationTimeout: Double
    /// Seconds an authenticated connection may stay silent, with no request waiting for an
    /// answer, before it is closed. A `wait` for a long task is never idle.
    public var idleTimeout: Double

    /// The defaults: 512 connections (well inside the usual limit of 1,024 open
    /// descriptors), 10 seconds to authenticate, 300 seconds idle.
    public static let defaults = ClientLimits(maximumConnections: 512, authenticationTimeout: 10, idleTimeout: 300)

    /// Limits of the given values; see the properties.
    public init(maximumConnections: Int, authenticationTimeout: Double, idleTimeout: Double) {
        self.maximumConnections = maximumConnections
        self.authenticationTimeout = authenticationTimeout
        self.idleTimeout = idleTimeout
    }

    /// What is wrong with these limits, in words naming the option, or `nil`.
    public var problem: String? {
        if maximumConnections < 1 || maximumConnections > 1_000_000 {
            return "--max-connections \(maximumConnections): expected a whole number from 1 to 1000000"
        }
        for (option, seconds) in [("--auth-timeout", authenticationTimeout), ("--idle-timeout", idleTimeout)]
        where !(seconds > 0 && seconds <= 86_400) {
            return "\(option) \(seconds): expected seconds above 0 and at most 86400 (one day)"
        }
        return nil
    }
}
