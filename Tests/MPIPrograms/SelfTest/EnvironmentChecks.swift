import MPI

@MainActor
func checkEnvironment(_ world: Communicator, _ provided: ThreadLevel, _ checks: Checks) throws {
    checks.expect(MPI.isInitialized && !MPI.isFinalized, "initialized and not finalized")
    checks.expect(provided >= .funneled, "provided thread level \(provided) >= funneled")
    checks.expect(try MPI.providedThreadLevel() == provided, "MPI_Query_thread agrees with MPI_Init_thread")
    checks.expect(try MPI.isMainThread(), "main actor runs on the thread that initialized MPI")
    let version = MPI.standardVersion()
    checks.expect(version.major == 3 && version.minor == 1, "MPI version \(version) is 3.1")
    checks.expect(try MPI.libraryVersion().contains("Open MPI"), "library version names Open MPI")
    checks.expect(!(try MPI.processorName()).isEmpty, "processor name is not empty")
    checks.expect(MPI.wallTick() > 0 && MPI.wallTick() < 1, "wall tick \(MPI.wallTick()) is in (0, 1) s")
    let start = MPI.wallTime()
    checks.expect(MPI.wallTime() >= start, "wall time does not go backwards")
    checks.expectError(.other, "second initialize") { try MPI.initialize() }
    checks.expect(world.size >= 2 && (0..<world.size).contains(world.rank), "rank \(world.rank) of \(world.size)")
    checks.expect(Communicator.`self`.size == 1 && Communicator.`self`.rank == 0, "self communicator has one rank")
}
