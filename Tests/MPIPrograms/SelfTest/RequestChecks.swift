import MPI

@MainActor
func checkRequests(_ world: Communicator, _ checks: Checks) throws {
    let (rank, size) = (world.rank, world.size)
    let peers = (0..<size).filter { $0 != rank }

    // Everyone sends to everyone (isend); receives posted first (irecv), completed with waitAny.
    let receives = try peers.map { try world.irecv(Int.self, count: 4, from: $0, tag: 31) }
    var payload = [rank, rank, rank]
    let sends = try peers.map { try world.isend(payload, to: $0, tag: 31) }
    payload = [-1]  // the requests own copies: changing the array must not change what is sent
    var seen = Set<Int>()
    while let (index, status) = try Request.waitAny(receives) {
        checks.expect(status.source == peers[index], "waitAny index \(index) matches source \(status.source)")
        checks.expect(try receives[index].received(as: Int.self) == [peers[index], peers[index], peers[index]],
                      "irecv contents from \(peers[index])")
        seen.insert(status.source)
    }
    checks.expect(seen == Set(peers), "waitAny completed every receive")
    checks.expect(receives.allSatisfy(\.isComplete), "receives complete")
    let sendStatuses = try Request.waitAll(sends)
    checks.expect(sendStatuses.count == peers.count && sends.allSatisfy(\.isComplete), "waitAll on sends")

    // testSome until all of a second round complete; issend completes only once matched.
    let second = try peers.map { try world.irecv(UInt8.self, count: 1, from: $0, tag: 32) }
    let synchronous = try peers.map { try world.issend([UInt8(rank)], to: $0, tag: 32) }
    var done = 0
    while done < second.count { done += try Request.testSome(second).count }
    try Request.waitAll(synchronous)
    checks.expect(try second.map { try $0.received(as: UInt8.self) } == peers.map { [UInt8($0)] }, "testSome round")

    // Cancelling: a receive that will never match is cancelled; sends refuse.
    let lonely = try world.irecv(Int.self, count: 1, from: rank, tag: 999)
    try lonely.cancel()
    let cancelled = try lonely.wait()
    checks.expect(cancelled.isCancelled, "cancelled receive reports isCancelled")
    checks.expect(try lonely.received(as: Int.self).isEmpty, "cancelled receive has no values")
    let toSelf = try world.isend([1], to: rank, tag: 998)
    checks.expectError(.request, "cancel a send") { try toSelf.cancel() }
    let (echo, _) = try world.receive(Int.self, from: rank, tag: 998)
    try toSelf.wait()
    checks.expect(echo == [1], "send to self after refused cancel still arrives")

    // Nonblocking barrier polled with test.
    let barrier = try world.ibarrier()
    while try barrier.test() == nil {}
    checks.expect(barrier.isComplete, "ibarrier completes")
    checks.expectError(.request, "cancel a collective") { try barrier.cancel() }
}
