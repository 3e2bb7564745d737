import MPI

/// The farm's messages over MPI point-to-point on the world communicator.
///
/// Receives probe with `MPI_Iprobe` (Open MPI's blocking calls busy-poll a core) and sends
/// use `MPI_Isend`, whose requests are completed later by ``progressSends()``.
/// Messages a rank sends to itself never touch MPI.
final class MPITransport: Transport {
    let communicator: Communicator
    let rank: Int
    let size: Int
    private var inFlight: [(request: Request, destination: Int)] = []
    private var local: [Envelope] = []
    private var localHead = 0

    init(communicator: Communicator = .world) {
        self.communicator = communicator
        self.rank = communicator.rank
        self.size = communicator.size
    }

    func send(_ payload: [UInt8], to destination: Int, tag: MessageTag) throws {
        if destination == rank {
            local.append(Envelope(source: rank, tag: tag, payload: payload))
            return
        }
        let request = try communicator.isend(payload, to: destination, tag: tag.rawValue)
        if try request.test() == nil { inFlight.append((request, destination)) }
    }

    func receive() throws -> Envelope? {
        if localHead < local.count {
            let envelope = local[localHead]
            localHead += 1
            if localHead == local.count {
                local.removeAll(keepingCapacity: true)
                localHead = 0
            }
            return envelope
        }
        guard let status = try communicator.iprobe() else { return nil }
        let (payload, received) = try communicator.receive(UInt8.self, matching: status)
        guard let tag = MessageTag(rawValue: received.tag) else {
            throw TransportError.unknownTag(received.tag, from: received.source)
        }
        return Envelope(source: received.source, tag: tag, payload: payload)
    }

    func progressSends() throws -> Bool {
        if inFlight.isEmpty { return false }
        var index = 0
        while index < inFlight.count {
            if try inFlight[index].request.test() != nil {
                inFlight.swapAt(index, inFlight.count - 1)
                inFlight.removeLast()
            } else {
                index += 1
            }
        }
        return !inFlight.isEmpty
    }

    func abandonSends(to destination: Int) {
        inFlight.removeAll { $0.destination == destination }
    }
}

/// A message the farm cannot understand.
enum TransportError: Error, CustomStringConvertible {
    case unknownTag(Int32, from: Int)

    var description: String {
        switch self {
        case .unknownTag(let tag, let source): return "rank \(source) sent a message with unknown tag \(tag)"
        }
    }
}
