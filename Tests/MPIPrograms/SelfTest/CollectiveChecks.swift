import MPI

@MainActor
func checkCollectives(_ world: Communicator, _ checks: Checks) throws {
    let (rank, size) = (world.rank, world.size)
    let root = size - 1

    var announced = rank == root ? [3.5, -2.0] : [0, 0]
    try world.broadcast(&announced, root: root)
    checks.expect(announced == [3.5, -2.0], "broadcast from the last rank")

    let table = rank == root ? Array(0..<(2 * size)) : []
    checks.expect(try world.scatter(table, count: 2, root: root) == [2 * rank, 2 * rank + 1], "scatter 2 per rank")

    let counts = (0..<size).map { $0 + 1 }  // rank r gets r + 1 elements
    let triangle = rank == 0 ? Array(0..<counts.reduce(0, +)) : []
    let start = rank * (rank + 1) / 2
    checks.expect(try world.scatter(triangle, counts: counts, root: 0) == Array(start..<start + rank + 1), "scatterv")

    let gathered = try world.gather([rank, -rank], root: 0)
    checks.expect(gathered == (rank == 0 ? (0..<size).flatMap { [$0, -$0] } : []), "gather on root only")

    let mine = [Int](repeating: rank, count: rank + 1)
    let gatheredV = try world.gather(mine, counts: counts, root: 0)
    checks.expect(gatheredV == (rank == 0 ? (0..<size).flatMap { [Int](repeating: $0, count: $0 + 1) } : []), "gatherv")

    checks.expect(try world.allGather([UInt8(rank)]) == (0..<size).map(UInt8.init), "allgather")
    let learnedCounts = try world.allGather([mine.count])
    checks.expect(learnedCounts == counts, "allgather of counts")
    checks.expect(try world.allGather(mine, counts: learnedCounts) == (0..<size).flatMap { [Int](repeating: $0, count: $0 + 1) },
                  "allgatherv")

    // alltoall: rank r sends r*100 + j to rank j, so receives i*100 + r from rank i.
    let outgoing = (0..<size).map { rank * 100 + $0 }
    checks.expect(try world.allToAll(outgoing) == (0..<size).map { $0 * 100 + rank }, "alltoall")
    checks.expectError(.count, "alltoall with a ragged array") { _ = try world.allToAll([1] + outgoing) }
    checks.expectError(.count, "scatterv with too few counts") { _ = try world.scatter([1], counts: [1], root: 0) }
}

@MainActor
func checkReductions(_ world: Communicator, _ checks: Checks) throws {
    let (rank, size) = (world.rank, world.size)
    let sumOfRanks = size * (size - 1) / 2

    checks.expect(try world.reduce([rank, 1], operation: .sum, root: 0) == (rank == 0 ? [sumOfRanks, size] : []), "reduce sum")
    checks.expect(try world.reduce(Double(rank), operation: .max, root: 1) == (rank == 1 ? Double(size - 1) : nil), "reduce max")
    checks.expect(try world.allReduce(rank + 1, operation: .product) == (1...size).reduce(1, *), "allreduce product")
    checks.expect(try world.allReduce(Float(rank) - 1, operation: .min) == -1, "allreduce min")
    checks.expect(try world.allReduce(rank != 0, operation: .logicalOr) == true, "allreduce logical or")
    checks.expect(try world.allReduce(rank != 0, operation: .logicalAnd) == false, "allreduce logical and")
    checks.expect(try world.allReduce(UInt32(1) << UInt32(rank), operation: .bitwiseOr) == (UInt32(1) << UInt32(size)) - 1,
                  "allreduce bitwise or")
    checks.expect(try world.allReduce(UInt8(0xff), operation: .bitwiseXor) == (size % 2 == 0 ? 0 : 0xff), "allreduce bxor")
    checks.expect(try world.scan(rank, operation: .sum) == rank * (rank + 1) / 2, "scan")
    checks.expect(try world.exclusiveScan(rank, operation: .sum) == (rank == 0 ? nil : rank * (rank - 1) / 2), "exscan")
    checks.expect(try world.scan([Int64(1), Int64(rank)], operation: .sum) == [Int64(rank + 1), Int64(rank * (rank + 1) / 2)],
                  "scan of arrays")

    // minloc/maxloc: value (rank - 2)^2 is smallest at rank min(2, size-1), largest at the last rank or 0.
    let score = Double((rank - 2) * (rank - 2))
    let low = try world.allReduce(LocatedValue(value: score, location: rank), operation: .minLoc)
    checks.expect(low.location == Int32(min(2, size - 1)), "minloc location \(low.location)")
    let high = try world.allReduce(LocatedValue(value: Int32(score), location: rank), operation: .maxLoc)
    let expectedHigh = (0..<size).max { ($0 - 2) * ($0 - 2) < ($1 - 2) * ($1 - 2) || (($0 - 2) * ($0 - 2) == ($1 - 2) * ($1 - 2) && $0 > $1) }!
    checks.expect(high.location == Int32(expectedHigh), "maxloc location \(high.location), expected \(expectedHigh)")
    checks.expectError(.op, "bitwise or of doubles") { _ = try world.allReduce(1.0, operation: .bitwiseOr) }
}
