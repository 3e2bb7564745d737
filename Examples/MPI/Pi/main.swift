// mpi-pi: computes pi as the integral of 4 / (1 + x^2) over [0, 1] with the midpoint rule.
// Each rank sums every size-th interval; `reduce` adds the partial sums on rank 0.
//
//     mpirun -np 4 --oversubscribe .build/debug/mpi-pi [intervals]
import MPI

MPI.run { _ in
    let world = Communicator.world
    var intervals = [CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 10_000_000]
    try world.broadcast(&intervals, root: 0)  // rank 0's command line decides
    let n = intervals[0]
    let width = 1.0 / Double(n)

    let start = MPI.wallTime()
    var partial = 0.0
    for i in stride(from: world.rank, to: n, by: world.size) {
        let x = width * (Double(i) + 0.5)
        partial += 4.0 / (1.0 + x * x)
    }
    if let sum = try world.reduce(partial * width, operation: .sum, root: 0) {
        let error = abs(sum - Double.pi)
        print("pi ≈ \(sum) with \(n) intervals on \(world.size) ranks, error \(error), \(MPI.wallTime() - start) s")
        if error > 1e-6 { throw PiError.inaccurate(error) }
    }
}

enum PiError: Error { case inaccurate(Double) }
