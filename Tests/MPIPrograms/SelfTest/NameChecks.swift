import MPI

@MainActor
func checkNames(_ world: Communicator, _ checks: Checks) throws {
    let rank = world.rank
    let service = "mpi-selftest-\(world.size)"

    // In-job publish and lookup (Open MPI's mpirun stores the name; no ompi-server needed).
    var port = rank == 0 ? try MPI.openPort() : ""
    if rank == 0 { try MPI.publishName(service, port: port) }
    try world.barrier()
    if rank != 0 { port = try MPI.lookupName(service) }
    let opened = try world.broadcast(encoding: rank == 0 ? port : nil, root: 0)
    checks.expect(!port.isEmpty && port == opened, "rank \(rank) looked up the port rank 0 opened")
    try world.barrier()
    if rank == 0 {
        try MPI.unpublishName(service, port: port)
        try MPI.closePort(port)
    }
    try world.barrier()
    checks.expectError(.name, "lookup of an unpublished name") { _ = try MPI.lookupName("\(service)-nobody") }

    // Connect/accept between the two halves of the world, port passed by broadcast.
    let half = try world.split(color: rank < world.size / 2 ? 0 : 1)!
    let isServer = rank < world.size / 2
    let serverPort = rank == 0 ? try MPI.openPort() : ""
    let portBytes = try world.broadcast(encoding: rank == 0 ? serverPort : nil, root: 0)
    let inter = isServer ? try half.communicator.accept(port: portBytes) : try half.communicator.connect(port: portBytes)
    checks.expect(inter.communicator.isIntercommunicator, "accept/connect gives an intercommunicator")
    checks.expect(inter.communicator.remoteSize == world.size - half.size && inter.size == half.size,
                  "intercommunicator sizes: local \(inter.size), remote \(inter.communicator.remoteSize)")
    if inter.rank == 0 {
        if isServer { try inter.communicator.send([42], to: 0, tag: 1) }
        else { checks.expect(try inter.communicator.receive(Int.self, from: 0, tag: 1).0 == [42], "message over accept/connect") }
    }
    try inter.disconnect()
    try half.free()
    if rank == 0 { try MPI.closePort(serverPort) }
}
