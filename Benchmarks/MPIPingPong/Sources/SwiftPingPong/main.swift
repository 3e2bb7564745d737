// The Swift twin of pingpong.c, written with the MPI module's ordinary API. Takes the same
// mode argument (plus latency_codable_us), makes that one measurement and prints
// "name value" on rank 0:
//   latency_8B_us      8-byte [UInt8] sent with send(_:to:tag:), received in place with receive(into:from:tag:)
//   latency_bytes_us   8-byte [UInt8] of unknown size: receive(UInt8.self, from:tag:) (matched probe, new array)
//   latency_bytes_owned_us   the same into a new ReceivedBytes: receiveBytes(from:tag:) (matched probe, owned malloc'd buffer)
//   latency_bytes_reused_us  the same through matchedProbe + receive(into:) into one reused array
//   latency_codable_us a 5-field Codable struct: send(encoding:) / receive(decoding:)
//   bandwidth_MBps     1 MiB [UInt8] messages, a window of 64 isend / irecv(unsafe:), then a 4-byte ack
import MPI

let warmup = 1000, iterations = 20000
let bandwidthSize = 1 << 20, window = 64, bandwidthWarmup = 5, bandwidthIterations = 40

struct Heartbeat: Codable {
    var worker: Int
    var task: Int
    var progress: Double
    var healthy: Bool
    var host: String
}

func pingPong(_ world: Communicator, _ body: (_ isPing: Bool) throws -> Void) throws -> Double {
    var start = 0.0
    for i in 0..<(warmup + iterations) {
        if i == warmup { start = MPI.wallTime() }
        try body(world.rank == 0)
    }
    return (MPI.wallTime() - start) * 1e6 / Double(2 * iterations)
}

func latencyFixed(_ world: Communicator) throws -> Double {
    var buffer = [UInt8](repeating: 0, count: 8)
    let peer = 1 - world.rank
    return try pingPong(world) { isPing in
        if isPing {
            try world.send(buffer, to: peer, tag: 1)
            try world.receive(into: &buffer, from: peer, tag: 1)
        } else {
            try world.receive(into: &buffer, from: peer, tag: 1)
            try world.send(buffer, to: peer, tag: 1)
        }
    }
}

/// 8-byte messages of unknown size, each one received by `receive(peer)`.
func unknownSizePingPong(_ world: Communicator, receive: (_ peer: Int) throws -> Void) throws -> Double {
    let bytes: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
    let peer = 1 - world.rank
    return try pingPong(world) { isPing in
        if isPing {
            try world.send(bytes, to: peer, tag: 2)
            try receive(peer)
        } else {
            try receive(peer)
            try world.send(bytes, to: peer, tag: 2)
        }
    }
}

func latencyUnknownSize(_ world: Communicator) throws -> Double {
    try unknownSizePingPong(world) { peer in _ = try world.receive(UInt8.self, from: peer, tag: 2) }
}

func latencyUnknownSizeOwned(_ world: Communicator) throws -> Double {
    try unknownSizePingPong(world) { peer in _ = try world.receiveBytes(from: peer, tag: 2) }
}

func latencyUnknownSizeReused(_ world: Communicator) throws -> Double {
    var landing = [UInt8](repeating: 0, count: 1)
    return try unknownSizePingPong(world) { peer in
        let message = try world.matchedProbe(from: peer, tag: 2)
        let size = message.status.byteCount
        if size > landing.count { landing = [UInt8](repeating: 0, count: size) }
        try message.receive(into: &landing)
    }
}

func latencyCodable(_ world: Communicator) throws -> Double {
    let beat = Heartbeat(worker: 7, task: 123_456, progress: 0.75, healthy: true, host: "node017")
    let peer = 1 - world.rank
    return try pingPong(world) { isPing in
        if isPing {
            try world.send(encoding: beat, to: peer, tag: 5)
            _ = try world.receive(decoding: Heartbeat.self, from: peer, tag: 5)
        } else {
            _ = try world.receive(decoding: Heartbeat.self, from: peer, tag: 5)
            try world.send(encoding: beat, to: peer, tag: 5)
        }
    }
}

func bandwidth(_ world: Communicator) throws -> Double {
    var buffer = [UInt8](repeating: UInt8(world.rank + 1), count: bandwidthSize)
    var ack = [UInt8](repeating: 0, count: 4)
    var start = 0.0
    for i in 0..<(bandwidthWarmup + bandwidthIterations) {
        if i == bandwidthWarmup { start = MPI.wallTime() }
        if world.rank == 0 {
            let sends = try (0..<window).map { _ in try world.isend(buffer, to: 1, tag: 3) }
            try Request.waitAll(sends)
            try world.receive(into: &ack, from: 1, tag: 4)
        } else {
            try buffer.withUnsafeMutableBytes { landing in
                let receives = try (0..<window).map { _ in try world.irecv(unsafe: landing, from: 0, tag: 3) }
                try Request.waitAll(receives)
            }
            try world.send(ack, to: 0, tag: 4)
        }
    }
    let elapsed = MPI.wallTime() - start
    return Double(bandwidthSize * window * bandwidthIterations) / elapsed / 1e6
}

MPI.run { _ in
    let world = Communicator.world
    guard world.size == 2 else { throw PingPongError.needsTwoRanks }
    let mode = CommandLine.arguments.dropFirst().first ?? ""
    let measurements: [String: (Communicator) throws -> Double] = [
        "latency_8B_us": latencyFixed, "latency_bytes_us": latencyUnknownSize,
        "latency_bytes_owned_us": latencyUnknownSizeOwned, "latency_bytes_reused_us": latencyUnknownSizeReused,
        "latency_codable_us": latencyCodable, "bandwidth_MBps": bandwidth,
    ]
    guard let measure = measurements[mode] else { throw PingPongError.unknownMode(mode) }
    let value = try measure(world)
    if world.rank == 0 { print(mode, value) }
}

enum PingPongError: Error { case needsTwoRanks, unknownMode(String) }
