// mpi-exit-without-finalize: programs that never call MPI.finalize().
//   clean: every rank returns from main after a barrier; the exit handler finalizes, so
//          mpirun reports success (it fails a job whose ranks exit without finalizing).
//   fail:  the last rank calls exit(3) while the others wait for it in a receive; the exit
//          handler aborts the job with status 3 instead of leaving them hanging.
#if canImport(Glibc)
import Glibc
#endif
import MPI

let mode = CommandLine.arguments.dropFirst().first ?? "clean"
try MPI.initialize()
let world = Communicator.world
if mode == "fail" {
    if world.rank == world.size - 1 { exit(3) }
    _ = try world.receive(Int.self, from: world.size - 1, tag: 0)  // never satisfied
} else {
    try world.barrier()
    if world.rank == 0 { print("mpi-exit-without-finalize: \(world.size) ranks leaving without finalize()") }
}
