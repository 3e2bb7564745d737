// mpi-master-worker: rank 0 hands out tasks one at a time to whichever worker asks next;
// workers send back results, which also asks for more. Messages are Codable enums, sent
// in the MPI module's compact binary encoding. When the queue is empty, each worker gets
// a stop message.
//
//     mpirun -np 4 --oversubscribe .build/debug/mpi-master-worker [tasks]
import MPI

/// Master to worker.
enum Order: Codable { case work(id: Int, input: Int), stop }
/// Worker to master: the first message is `ready`, then one `result` per task.
enum Report: Codable { case ready, result(id: Int, output: Int, worker: Int) }

let orderTag: Int32 = 1
let reportTag: Int32 = 2

MPI.run { _ in
    let world = Communicator.world
    guard world.size >= 2 else { throw MasterWorkerError.needsTwoRanks }
    let taskCount = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 100
    if world.rank == 0 {
        try master(world, taskCount: taskCount)
    } else {
        try worker(world)
    }
}

func master(_ world: Communicator, taskCount: Int) throws {
    var queue = (0..<taskCount).map { (id: $0, input: $0) }[...]
    var results = [Int: Int]()
    var perWorker = [Int: Int]()
    var stopped = 0
    while stopped < world.size - 1 {
        let (report, status) = try world.receive(decoding: Report.self, from: Communicator.anySource, tag: reportTag)
        if case .result(let id, let output, let worker) = report {
            results[id] = output
            perWorker[worker, default: 0] += 1
        }
        if let task = queue.popFirst() {
            try world.send(encoding: Order.work(id: task.id, input: task.input), to: status.source, tag: orderTag)
        } else {
            try world.send(encoding: Order.stop, to: status.source, tag: orderTag)
            stopped += 1
        }
    }
    let total = results.values.reduce(0, +)
    let expected = (0..<taskCount).map { $0 * $0 }.reduce(0, +)
    print("\(results.count) tasks done by \(perWorker.count) workers, sum of squares \(total)")
    guard results.count == taskCount, total == expected else { throw MasterWorkerError.wrongTotal(total, expected: expected) }
}

func worker(_ world: Communicator) throws {
    try world.send(encoding: Report.ready, to: 0, tag: reportTag)
    while true {
        let (order, _) = try world.receive(decoding: Order.self, from: 0, tag: orderTag)
        guard case .work(let id, let input) = order else { return }
        try world.send(encoding: Report.result(id: id, output: input * input, worker: world.rank), to: 0, tag: reportTag)
    }
}

enum MasterWorkerError: Error { case needsTwoRanks, wrongTotal(Int, expected: Int) }
