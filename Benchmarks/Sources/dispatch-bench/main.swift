// The in-process dispatch benchmark of taskfarm (issue 7):
//
//   mpirun -np 3 dispatch-bench --chunk N --tasks M [--calls K] [--name-server-rank R] [--handler sync|async]
//
// Every worker offers a no-op service (`noop`: Int → the same Int), as a synchronous handler
// (the default: what `{ (value: Int) in value }` registers) or, with `--handler async`, as an
// async one (`{ (value: Int) async throws -> Int in value }`, the only kind before
// 2026-12-04's issue 18 changes: a task per call and an await per input). Rank 0 maps it over M inputs
// with `ServiceClient.map(chunkSize: N)` (one message each way per chunk) and prints
// `tasks_per_second=`, timed around the map alone, as peers/c/mpi_dispatch.c does. Then it makes
// K single calls one after another and prints their latency, from the call until its result is
// back on rank 0, as `latency_p50_us=`, `latency_p99_us=`, `latency_max_us=` (hdrhistogram-swift).
// `--name-server-rank` defaults to 0, so that 3 ranks give 2 workers like the peers.
import Foundation
import Histogram
import TaskFarm

/// The value after `flag` on the command line, or `fallback`.
func option(_ flag: String, _ fallback: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count,
          let value = Int(arguments[index + 1]) else { return fallback }
    return value
}

/// Monotonic nanoseconds (POSIX `clock_gettime`, `CLOCK_MONOTONIC`).
func nowNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

struct WrongAnswer: Error, CustomStringConvertible {
    var description: String
}

let chunkSize = option("--chunk", 1)
let taskCount = option("--tasks", 10_000)
let latencyCalls = option("--calls", 2_000)
let nameServerRank = option("--name-server-rank", 0)
let asyncHandler: Bool = {
    guard let index = CommandLine.arguments.firstIndex(of: "--handler"), index + 1 < CommandLine.arguments.count else { return false }
    return CommandLine.arguments[index + 1] == "async"
}()

let services = ServiceRegistry()
if asyncHandler {
    services.register("noop") { (value: Int) async throws -> Int in value }
} else {
    services.register("noop") { (value: Int) in value }
}

let status = ServiceFarm.run(services, options: .init(nameServerRank: nameServerRank)) { client in
    // Warm-up: every worker has answered once before the clock starts.
    _ = try await client.map("noop", Array(0..<64), chunkSize: 1, as: Int.self)

    let inputs = Array(0..<taskCount)
    let start = nowNanoseconds()
    let outputs = try await client.map("noop", inputs, chunkSize: chunkSize, as: Int.self)
    let seconds = Double(nowNanoseconds() - start) / 1e9
    guard outputs == inputs else { throw WrongAnswer(description: "map answered out of order or wrongly") }

    var latencies = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    for value in 0..<latencyCalls {
        let sent = nowNanoseconds()
        let answer = try await client.call("noop", value, as: Int.self)
        _ = latencies.record(nowNanoseconds() - sent)
        guard answer == value else { throw WrongAnswer(description: "call \(value) answered \(answer)") }
    }
    func microseconds(_ nanoseconds: UInt64) -> String { String(format: "%.1f", Double(nanoseconds) / 1000) }
    print("chunk=\(chunkSize) tasks=\(taskCount) handler=\(asyncHandler ? "async" : "sync") seconds=\(String(format: "%.6f", seconds))")
    print("tasks_per_second=\(String(format: "%.1f", Double(taskCount) / seconds))")
    print("latency_calls=\(latencyCalls)",
          "latency_p50_us=\(microseconds(latencies.valueAtPercentile(50)))",
          "latency_p99_us=\(microseconds(latencies.valueAtPercentile(99)))",
          "latency_max_us=\(microseconds(latencies.max))")
}
exit(status.rawValue)
