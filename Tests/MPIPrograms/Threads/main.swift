// mpi-threads: at MPI_THREAD_MULTIPLE, three threads on rank 0 receive at once from any
// source, while every other rank sends messages of varying size. receive(_:from:tag:) uses a
// matched probe, so no thread can take a message another thread probed: every message must
// arrive whole, exactly once. (Probe followed by a plain receive would race here.)
import Foundation
import MPI

let perSender = 60
let receivingThreads = 3

MPI.run(threadLevel: .multiple) { provided in
    let world = Communicator.world
    guard provided == .multiple else { throw ThreadsError.noThreadMultiple(provided) }
    if world.rank == 0 {
        let total = perSender * (world.size - 1)
        let tally = Tally()
        let group = DispatchGroup()
        for _ in 0..<receivingThreads {
            group.enter()
            Thread {
                defer { group.leave() }
                for _ in 0..<(total / receivingThreads) {
                    do {
                        let (values, status) = try world.receive(Int.self, from: Communicator.anySource, tag: 1)
                        let ok = values.count == values[0] % 7 + 1 && values.allSatisfy { $0 == values[0] }
                            && values[0] / 1000 == status.source
                        if !ok { tally.problem("message \(values) from \(status.source) is not whole") }
                        if !tally.record(source: status.source, first: values[0]) { tally.problem("duplicate \(values[0])") }
                    } catch {
                        tally.problem("\(error)")
                    }
                }
            }.start()
        }
        group.wait()
        let (problems, received) = tally.summary
        guard problems.isEmpty, received == total else { throw ThreadsError.wrong(problems, received: received) }
        print("mpi-threads: \(receivingThreads) threads received all \(total) messages whole, once each")
    } else {
        for i in 0..<perSender {
            let value = world.rank * 1000 + i
            try world.send([Int](repeating: value, count: value % 7 + 1), to: 0, tag: 1)
        }
    }
}

/// What the receiving threads saw, behind a lock.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var seen = Set<[Int]>()
    private var problems: [String] = []

    func record(source: Int, first: Int) -> Bool { lock.withLock { seen.insert([source, first]).inserted } }
    func problem(_ text: String) { lock.withLock { problems.append(text) } }
    var summary: ([String], Int) { lock.withLock { (problems, seen.count) } }
}

enum ThreadsError: Error {
    case noThreadMultiple(ThreadLevel)
    case wrong([String], received: Int)
}
