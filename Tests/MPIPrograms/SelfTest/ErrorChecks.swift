import MPI

@MainActor
func checkErrors(_ world: Communicator, _ checks: Checks) throws {
    let size = world.size
    do {
        try world.send([1], to: size + 2, tag: 0)
        checks.expect(false, "send to rank \(size + 2) should fail")
    } catch {
        checks.expect(error.kind == .rank && error.routine == "MPI_Send", "send to a bad rank: \(error)")
        checks.expect(error.context?.contains("communicator size \(size)") == true, "context names the size: \(error)")
        checks.expect(error.description.contains("MPI_ERR_RANK"), "description names the class: \(error)")
    }
    checks.expectError(.tag, "negative tag") { try world.send([1], to: 0, tag: -7) }
    checks.expectError(.root, "broadcast from a bad root") { var x = [1]; try world.broadcast(&x, root: size) }
    var small = [UInt8](repeating: 0, count: 2)
    try world.send([UInt8](repeating: 1, count: 8), to: world.rank, tag: 61)
    checks.expectError(.truncate, "receive into a short buffer") { try world.receive(into: &small, from: world.rank, tag: 61) }
}
