import MPI

struct Reading: Codable, Equatable {
    var id: Int
    var name: String
    var value: Double
    var flags: [Bool]
    var note: String?
}

enum Command: Codable, Equatable {
    case run(task: Int, arguments: [String])
    case pause(seconds: Double?)
    case stop
}

@MainActor
func checkCodablePayloads(_ world: Communicator, _ checks: Checks) throws {
    let (rank, size) = (world.rank, world.size)
    let right = (rank + 1) % size, left = (rank + size - 1) % size
    func reading(_ r: Int) -> Reading {
        Reading(id: r, name: "sensor \(r) ✓", value: Double(r) / 3, flags: [r % 2 == 0, true], note: r % 2 == 0 ? nil : "odd")
    }

    let send = try world.isend(encoding: reading(rank), to: right, tag: 41)
    let (received, status) = try world.receive(decoding: Reading.self, from: left, tag: 41)
    try send.wait()
    checks.expect(received == reading(left) && status.source == left, "Codable struct round trip from \(left)")

    let commands: [Command] = [.run(task: rank, arguments: ["-n", "\(rank)"]), .pause(seconds: nil), .pause(seconds: 1.5), .stop]
    if rank == 0 {
        try world.send(encoding: commands, to: 1, tag: 42)
    } else if rank == 1 {
        let (got, _) = try world.receive(decoding: [Command].self, from: 0, tag: 42)
        checks.expect(got == [.run(task: 0, arguments: ["-n", "0"]), .pause(seconds: nil), .pause(seconds: 1.5), .stop],
                      "enum with associated values")
    }

    let config = try world.broadcast(encoding: rank == 0 ? ["workers": size - 1, "retries": 3] : nil, root: 0)
    checks.expect(config == ["workers": size - 1, "retries": 3], "broadcast of a Codable dictionary")
}
