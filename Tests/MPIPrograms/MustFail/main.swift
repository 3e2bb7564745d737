// mpi-must-fail: a program that must fail cleanly. The last rank receives from a rank that
// does not exist; the others wait for a message from it that will never come. The receive
// must throw MPIError of class MPI_ERR_RANK (not crash), and MPI.run must turn the uncaught
// error into MPI_Abort of the whole job (not a hang). MPITests checks the exit status and
// the message on standard error.
import MPI

MPI.run { _ in
    let world = Communicator.world
    let last = world.size - 1
    if world.rank == last {
        do throws(MPIError) {
            _ = try world.receive(Int.self, from: world.size + 3, tag: 0)
        } catch {
            print("mpi-must-fail: rank \(world.rank) caught \(error.kind), expected MPI_ERR_RANK: \(error.kind == .rank)")
            throw error
        }
    } else {
        _ = try world.receive(Int.self, from: last, tag: 0)  // never satisfied
    }
}
