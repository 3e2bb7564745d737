// Rank 0's CPU per task with 10 to 10,000 virtual workers (issue 18), through
// `SchedulerSimulation`: the real scheduler and name server over the in-memory transport.
//
//   scheduler-sim [--workers 10,100,1000,10000] [--tasks N] [--slots S] [--repeat R]
//
// Prints one line per worker count, `workers=W tasks=N slots=S rounds=K us_per_task=F`,
// the median of R runs, and a last line `flatness=F` (the largest ÷ the smallest).
import TaskFarm

var workerCounts = [10, 100, 1_000, 10_000]
var tasks = 200_000
var slots = 1
var repeats = 3
var arguments = CommandLine.arguments.dropFirst()[...]
while let flag = arguments.popFirst() {
    guard let value = arguments.popFirst() else { fatalError("\(flag) needs a value") }
    switch flag {
    case "--workers": workerCounts = value.split(separator: ",").map { Int($0)! }
    case "--tasks": tasks = Int(value)!
    case "--slots": slots = Int(value)!
    case "--repeat": repeats = Int(value)!
    default: fatalError("unknown option \(flag)")
    }
}

var medians: [Double] = []
for workers in workerCounts {
    var runs: [SchedulerSimulation.Measurement] = []
    for _ in 0..<repeats {
        let run = try SchedulerSimulation.run(workers: workers, tasks: tasks, slots: slots)
        guard run.allSucceeded, run.tasks == tasks else {
            fatalError("workers=\(workers): \(run.tasks) of \(tasks) tasks ended, not all succeeded")
        }
        runs.append(run)
    }
    runs.sort { $0.microsecondsPerTask < $1.microsecondsPerTask }
    let median = runs[runs.count / 2]
    medians.append(median.microsecondsPerTask)
    print("workers=\(workers) tasks=\(tasks) slots=\(slots) rounds=\(median.rounds) us_per_task=\(median.microsecondsPerTask)")
}
if let low = medians.min(), let high = medians.max(), low > 0 {
    print("flatness=\(high / low)")
}
