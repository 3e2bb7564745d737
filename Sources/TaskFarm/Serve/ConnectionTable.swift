import Foundation

/// The connections open on one ``ClientEndpoint``, and whether each has shown the token: it
/// decides whether a new connection may stay (``ClientLimits/maximumConnections``), and
/// which unauthenticated one it replaces when they are all taken. Thread-safe. Generic over
/// the connection (a NIO `Channel`), so that it is tested without sockets.
final class ConnectionTable<Connection>: @unchecked Sendable {
    /// What becomes of a new connection.
    enum Admission {
        /// It stays; `evicting`, when not `nil`, is the oldest unauthenticated connection,
        /// which the caller closes to make room.
        case admitted(evicting: Connection?)
        /// Every place is taken by an authenticated connection: the caller closes it.
        case refused
    }

    let maximum: Int
    private let lock = NSLock()
    private var open: [ObjectIdentifier: (connection: Connection, order: Int, authenticated: Bool)] = [:]
    private var nextOrder = 0

    init(maximum: Int) { self.maximum = max(1, maximum) }

    /// Connections open now.
    var count: Int { lock.withLock { open.count } }

    /// Takes in `connection`, known by `id`, making room by evicting the oldest unauthenticated connection
    /// when the table is full.
    func admit(_ connection: Connection, id: ObjectIdentifier) -> Admission {
        lock.withLock {
            var evicted: Connection?
            if open.count >= maximum {
                guard let oldest = open.filter({ !$0.value.authenticated }).min(by: { $0.value.order < $1.value.order }) else {
                    return .refused
                }
                open[oldest.key] = nil
                evicted = oldest.value.connection
            }
            open[id] = (connection, nextOrder, false)
            nextOrder += 1
            return .admitted(evicting: evicted)
        }
    }

    /// The connection `id` has shown the token: it is never evicted.
    func authenticated(_ id: ObjectIdentifier) {
        lock.withLock { open[id]?.authenticated = true }
    }

    /// The connection `id` closed.
    func remove(_ id: ObjectIdentifier) {
        lock.withLock { open[id] = nil }
    }
}
