import MPI

@MainActor
func checkCommunicators(_ world: Communicator, _ checks: Checks) throws {
    let (rank, size) = (world.rank, world.size)
    checks.expect(try world.compare(world) == .identical, "world is identical to itself")
    checks.expect(try world.compare(Communicator.`self`) == .unequal, "world and self differ")

    let copy = try world.dup()
    checks.expect(try world.compare(copy.communicator) == .congruent, "dup is congruent")
    checks.expect(copy.rank == rank && copy.size == size, "dup keeps rank and size")
    // Messages on the duplicate never match receives on the original.
    try copy.communicator.send([rank], to: rank, tag: 5)
    checks.expect(try world.iprobe(from: rank, tag: 5) == nil, "dup has its own context")
    _ = try copy.communicator.receive(Int.self, from: rank, tag: 5)
    try copy.free()

    // Split by parity, reversed order inside each half.
    let half = try world.split(color: rank % 2, key: -rank)!
    let halfSize = (size + 1 - rank % 2) / 2
    checks.expect(half.size == halfSize, "split half size \(half.size), expected \(halfSize)")
    let members = try half.communicator.allGather([rank])
    checks.expect(members == members.sorted(by: >) && members.allSatisfy { $0 % 2 == rank % 2 }, "split order \(members)")
    checks.expect(try world.compare(half.communicator) == .unequal, "a half is unequal to the world")
    try half.free()

    let onlyZero = try world.split(color: rank == 0 ? 0 : nil)
    checks.expect((onlyZero != nil) == (rank == 0), "nil color gives no communicator")
    if let onlyZero {
        checks.expect(onlyZero.size == 1, "rank 0 alone")
        try onlyZero.free()
    }

    let node = try world.splitByNode()
    let sameHost = try world.allGather([UInt64(node.size)])
    checks.expect(sameHost.allSatisfy { $0 >= 1 } && sameHost.reduce(0, +) >= UInt64(size), "split by node")
    checks.expect(node.size == size, "one host: the node communicator is the world (size \(node.size))")
    try node.free()

    // Forgetting free() is reported and counted, never freed in deinit.
    let before = DerivedCommunicator.forgottenCount
    do { _ = try world.dup() }
    checks.expect(DerivedCommunicator.forgottenCount == before + 1, "dropped dup is reported")
}
