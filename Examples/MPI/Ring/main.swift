// mpi-ring: passes a token around the ring of ranks. Rank 0 starts it at 0; every rank
// adds one and passes it to its right neighbour; after `laps` laps rank 0 holds laps * size.
//
//     mpirun -np 4 --oversubscribe .build/debug/mpi-ring
import MPI

MPI.run { _ in
    let world = Communicator.world
    let (rank, size) = (world.rank, world.size)
    let right = (rank + 1) % size
    let left = (rank + size - 1) % size
    let laps = 3
    let tokenTag: Int32 = 1

    if rank == 0 { try world.send(value: 0, to: right, tag: tokenTag) }
    for lap in 1...laps {
        let (token, _) = try world.receive(value: Int.self, from: left, tag: tokenTag)
        if rank == 0 {
            print("lap \(lap): token came back as \(token + 1)")
            if lap < laps { try world.send(value: token + 1, to: right, tag: tokenTag) }
            else if token + 1 != laps * size { throw RingError.wrongToken(token + 1, expected: laps * size) }
        } else {
            try world.send(value: token + 1, to: right, tag: tokenTag)
        }
    }
    if rank == 0 { print("ring of \(size) ranks: \(laps) laps, token \(laps * size)") }
}

enum RingError: Error { case wrongToken(Int, expected: Int) }
