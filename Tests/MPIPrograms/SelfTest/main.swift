// mpi-selftest: exercises the MPI module across ranks. Run under mpirun at 2, 3, 4 and 7
// ranks (MPITests does). Each rank counts its failures; the job exits 1 if any rank failed.
import MPI

await MPI.run(threadLevel: .funneled) { provided in
    let world = Communicator.world
    let checks = Checks(rank: world.rank)
    try checkEnvironment(world, provided, checks)
    try checkPointToPoint(world, checks)
    try checkRequests(world, checks)
    try checkCollectives(world, checks)
    try checkReductions(world, checks)
    try checkCommunicators(world, checks)
    try checkCodablePayloads(world, checks)
    try checkNames(world, checks)
    try checkErrors(world, checks)
    try await checkAsyncWaiting(world, checks)

    let totalFailures = try world.allReduce(checks.failures, operation: .sum)
    if world.rank == 0 {
        print(totalFailures == 0
              ? "mpi-selftest: no failures on \(world.size) ranks (rank 0 passed \(checks.passed) checks)"
              : "mpi-selftest: \(totalFailures) failed checks across \(world.size) ranks")
    }
    if totalFailures != 0 { throw SelfTestFailed(failures: totalFailures) }
}

struct SelfTestFailed: Error { let failures: Int }
