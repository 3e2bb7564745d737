import MPI

/// `async` waiting: polls run on the main actor (funneled) and never block it.
@MainActor
func checkAsyncWaiting(_ world: Communicator, _ checks: Checks) async throws {
    let (rank, size) = (world.rank, world.size)
    let right = (rank + 1) % size, left = (rank + size - 1) % size

    let incoming = try world.irecv(Int.self, count: 1, from: left, tag: 71)
    let outgoing = try world.isend([rank], to: right, tag: 71)
    let status = try await incoming.waitAsync()
    try await outgoing.waitAsync()
    let ringValues = try incoming.received(as: Int.self)
    checks.expect(status.source == left && ringValues == [left], "waitAsync ring")

    // Cancelling the waiting task cancels a receive that can never match.
    let never = try world.irecv(Int.self, count: 1, from: rank, tag: 72)
    let waiter = Task { @MainActor in try await never.waitAsync() }
    waiter.cancel()
    let cancelledStatus = try await waiter.value
    checks.expect(cancelledStatus.isCancelled, "task cancellation cancels the receive")

    // The nonblocking barrier awaited without blocking the main actor.
    try await world.ibarrier().waitAsync(backoff: PollingBackoff(initial: .microseconds(5), maximum: .microseconds(200)))
    checks.expect(true, "ibarrier awaited")
}
