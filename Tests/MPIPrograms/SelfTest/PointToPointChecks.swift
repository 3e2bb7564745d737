import MPI

@MainActor
func checkPointToPoint(_ world: Communicator, _ checks: Checks) throws {
    let (rank, size) = (world.rank, world.size)
    let right = (rank + 1) % size, left = (rank + size - 1) % size

    // Ring shift with sendrecv: everyone gets its left neighbour's rank.
    let (fromLeft, shiftStatus) = try world.sendReceive([rank, rank * 10], to: right, sendTag: 3, from: left, receiveTag: 3)
    checks.expect(fromLeft == [left, left * 10], "sendReceive got \(fromLeft) from left \(left)")
    checks.expect(shiftStatus.source == left && shiftStatus.tag == 3, "sendReceive status source/tag")

    // Unknown-size arrays from rank 0: rank r gets r*3 doubles.
    if rank == 0 {
        for peer in 1..<size { try world.send((0..<peer * 3).map { Double($0) + 0.5 }, to: peer, tag: 7) }
    } else {
        let (values, status) = try world.receive(Double.self, from: 0, tag: 7)
        checks.expect(values == (0..<rank * 3).map { Double($0) + 0.5 }, "received \(values.count) doubles from rank 0")
        checks.expect(status.count(of: Double.self) == rank * 3 && status.byteCount == rank * 24, "status counts")
    }

    // Bytes, synchronous send, receive into an existing buffer, single values.
    let bytes: [UInt8] = Array("hello from \(rank)".utf8)
    if rank % 2 == 0, right != rank, rank + 1 < size {
        try world.synchronousSend(bytes, to: rank + 1, tag: 11)
        try world.send(value: UInt64(rank) << 40, to: rank + 1, tag: 12)
    } else if rank % 2 == 1 {
        var buffer = [UInt8](repeating: 0, count: 64)
        let status = try world.receive(into: &buffer, from: rank - 1, tag: 11)
        checks.expect(Array(buffer.prefix(status.byteCount)) == Array("hello from \(rank - 1)".utf8), "bytes payload")
        let (value, _) = try world.receive(value: UInt64.self, from: rank - 1, tag: 12)
        checks.expect(value == UInt64(rank - 1) << 40, "single value payload \(value)")
    }

    // Matched probe from any source: rank 0 gets one message from everyone else.
    if rank == 0 {
        var sources = Set<Int>()
        for _ in 1..<size {
            let message = try world.matchedProbe(from: Communicator.anySource, tag: 21)
            let source = message.status.source
            let (payload, _) = try message.receive(Int32.self)
            checks.expect(payload == [Int32(source), -1], "matched message payload from \(source)")
            sources.insert(source)
        }
        checks.expect(sources == Set(1..<size), "matched probe saw every rank once")
    } else {
        try world.send([Int32(rank), -1], to: 0, tag: 21)
    }

    // Probe then receive by status; iprobe finds nothing once all is drained.
    if rank == 1 {
        try world.send([Int16(7), 8, 9], to: 0, tag: 22)
    } else if rank == 0 {
        let status = try world.probe(from: 1, tag: 22)
        let (values, _) = try world.receive(Int16.self, matching: status)
        checks.expect(values == [7, 8, 9], "receive matching a probe")
    }
    try world.barrier()
    // Later checks may already be sending to us, so look only at this function's tags.
    for tag: Int32 in [3, 7, 11, 12, 21, 22] {
        let pending = try world.iprobe(from: Communicator.anySource, tag: tag)
        checks.expect(pending == nil, "nothing pending with tag \(tag), found one from \(pending?.source ?? -1)")
    }

    // The null process: completes at once, moves nothing.
    try world.send([1, 2, 3], to: Communicator.nullProcess, tag: 0)
    let (nothing, nullStatus) = try world.sendReceive([1], to: Communicator.nullProcess, from: Communicator.nullProcess)
    checks.expect(nothing.isEmpty && nullStatus.source == Communicator.nullProcess, "MPI_PROC_NULL moves nothing")
}
