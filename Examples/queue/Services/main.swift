// A services program: `mpirun -np 4 queue-services`. Workers offer six services; rank 0
// calls them 1,000 times through the broker and checks every answer.
// With `--serve` it serves them instead, until `taskfarm shutdown`, to clients outside the
// allocation: `taskfarm call collatz 27` prints 111.
import Foundation
import TaskFarm

/// The Collatz stopping time of `n`: steps of n → n/2 or 3n+1 until 1.
///
/// - Throws: ``OutsideCollatz`` for `n` < 1 (0 and the negatives never reach 1) and when
///   3n+1 would overflow `Int`: a service never traps its worker on a caller's value.
func stoppingTime(_ n: Int) throws -> Int {
    guard n >= 1 else { throw OutsideCollatz(n: n, why: "it is below 1, and never reaches 1") }
    var value = n
    var steps = 0
    while value != 1 {
        if value % 2 == 0 {
            value /= 2
        } else {
            let (tripled, overflow) = value.multipliedReportingOverflow(by: 3)
            guard !overflow, tripled < Int.max else { throw OutsideCollatz(n: n, why: "3n+1 overflows a 64-bit integer") }
            value = tripled + 1
        }
        steps += 1
    }
    return steps
}

struct OutsideCollatz: Error, CustomStringConvertible {
    var n: Int
    var why: String
    var description: String { "no stopping time for \(n): \(why)" }
}

struct Fraction: Codable, Sendable {
    var numerator: Double
    var denominator: Double
}

struct DivisionByZero: Error, CustomStringConvertible {
    var numerator: Double
    var description: String { "\(numerator) / 0 has no value" }
}

struct CheckFailed: Error, CustomStringConvertible {
    var description: String
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw CheckFailed(description: message()) }
}

let services = ServiceRegistry()
services.register("collatz") { (n: Int) async throws -> Int in try stoppingTime(n) }
// A synchronous handler (it never awaits): the worker runs it, and each input of a chunk,
// at once on its MPI thread, with no task per call.
services.register("divide") { (fraction: Fraction) throws -> Double in
    guard fraction.denominator != 0 else { throw DivisionByZero(numerator: fraction.numerator) }
    return fraction.numerator / fraction.denominator
}
// An async service that answers its small inputs last: the chunks of a map over it come
// back in about the reverse of their order.
services.register("echo-late") { (n: Int) async throws -> Int in
    try await Task.sleep(nanoseconds: UInt64(max(0, 40 - n)) * 2_000_000)
    return n
}
// Like echo-late, but rejects the inputs that end in 3: a map over 0..<40 in chunks of 5
// has its failing chunks answer in about the reverse of their order.
services.register("reject-late") { (n: Int) async throws -> Int in
    try await Task.sleep(nanoseconds: UInt64(max(0, 40 - n)) * 2_000_000)
    guard n % 10 != 3 else { throw CheckFailed(description: "rejected \(n)") }
    return n
}
// A synchronous handler that holds its worker's MPI thread for the seconds asked, as CPU
// work without `await` does: what `taskfarm shutdown` must not wait for without end.
services.register("hold") { (seconds: Double) throws -> Double in
    guard seconds >= 0, seconds <= 86_400 else { throw CheckFailed(description: "hold takes 0 to 86400 seconds, not \(seconds)") }
    Thread.sleep(forTimeInterval: seconds)
    return seconds
}
// A service that calls another one, through the broker, from a worker rank.
services.register("collatz-sum") { (range: [Int], client: ServiceClient) async throws -> Int in
    guard range.count == 2, range[0] <= range[1] else {
        throw OutsideCollatz(n: range.first ?? 0, why: "collatz-sum takes [first, last] with first <= last, not \(range)")
    }
    return try await client.map("collatz", Array(range[0]...range[1]), chunkSize: 10, as: Int.self).reduce(0, +)
}

if CommandLine.arguments.contains("--serve") {
    let listen = CommandLine.arguments.firstIndex(of: "--listen").map { CommandLine.arguments[$0 + 1] }
    exit(ServiceFarm.serve(services, options: .init(connectionFile: ConnectionFile.defaultPath, listen: listen)).rawValue)
}

let status = ServiceFarm.run(services) { client in
    let inputs = Array(1...1000)
    let answers = try await client.map("collatz", inputs, chunkSize: 25, as: Int.self)
    try check(answers == (try inputs.map(stoppingTime)), "a collatz answer is wrong")

    var seen = Set<Int>()
    for try await (index, output) in client.mapAsCompleted("collatz", Array(1...100), chunkSize: 7, as: Int.self) {
        try check(output == (try stoppingTime(index + 1)), "as-completed answer \(index) is wrong")
        seen.insert(index)
    }
    try check(seen.count == 100, "as-completed gave \(seen.count) answers")

    try check(try await client.call("divide", Fraction(numerator: 1, denominator: 4), as: Double.self) == 0.25, "1/4")
    do {
        _ = try await client.call("divide", Fraction(numerator: 3, denominator: 0), as: Double.self)
        throw CheckFailed(description: "divide by zero did not throw")
    } catch let error as ServiceError {
        try check(error.kind == .serviceThrew && error.message == "3.0 / 0 has no value"
                  && error.errorType?.hasSuffix("DivisionByZero") == true, "unexpected error \(error)")
    }
    /// Maps "divide" over `count` fractions, in chunks of `chunkSize`, that divide by zero
    /// at the indexes `zeros`; checks that the map throws the error of the first of them in
    /// input order, naming its index, as Python's `Executor.map` raises.
    func checkMapFails(count: Int, chunkSize: Int, zeros: Set<Int>) async throws {
        let first = zeros.min()!
        do {
            let fractions = (0..<count).map { Fraction(numerator: Double($0), denominator: zeros.contains($0) ? 0 : 2) }
            _ = try await client.map("divide", fractions, chunkSize: chunkSize, as: Double.self)
            throw CheckFailed(description: "a map over divisions by zero at \(zeros.sorted()) did not throw")
        } catch let error as ServiceError {
            try check(error.kind == .serviceThrew && error.inputIndex == first
                      && error.message == "input \(first): \(Double(first)) / 0 has no value", "unexpected map error \(error)")
        }
    }
    // A map whose third chunk throws: the error names the failing input.
    try await checkMapFails(count: 6, chunkSize: 2, zeros: [5])
    // The same in the middle of 100 chunks, and with the failing input not first in its chunk.
    try await checkMapFails(count: 1000, chunkSize: 10, zeros: [503])
    // Two failing inputs in one chunk: the first of them, where the chunk stopped.
    try await checkMapFails(count: 40, chunkSize: 10, zeros: [27, 22])
    // Failures in many chunks: the first in input order, whichever chunk answered first.
    try await checkMapFails(count: 1000, chunkSize: 3, zeros: Set(stride(from: 998, through: 300, by: -7)))
    // The first failing chunk answers last, the later ones first: still its error.
    do {
        _ = try await client.map("reject-late", Array(0..<40), chunkSize: 5, as: Int.self)
        throw CheckFailed(description: "a map over reject-late did not throw")
    } catch let error as ServiceError {
        try check(error.inputIndex == 3 && error.message == "input 3: rejected 3", "reject-late's map threw \(error)")
    }
    // Answers that arrive out of order still come back in input order.
    var arrivals: [Int] = []
    for try await (index, output) in client.mapAsCompleted("echo-late", Array(0..<40), chunkSize: 5, as: Int.self) {
        try check(output == index, "echo-late answered \(output) for \(index)")
        arrivals.append(index)
    }
    try check(arrivals.count == 40 && arrivals != Array(0..<40), "echo-late's answers came in input order, \(arrivals)")
    try check(try await client.map("echo-late", Array(0..<40), chunkSize: 5, as: Int.self) == Array(0..<40),
              "a map whose answers arrive out of order is not in input order")
    // Large chunks (one of 20,000 structs, then 7,000 at a time, the last one short) and none.
    let many = (0..<20_000).map { Fraction(numerator: Double($0), denominator: 8) }
    for size in [20_000, 7_000] {
        try check(try await client.map("divide", many, chunkSize: size, as: Double.self) == many.map { $0.numerator / 8 },
                  "a map in chunks of \(size) is wrong")
    }
    try check(try await client.map("divide", [Fraction](), chunkSize: 10, as: Double.self).isEmpty, "a map of nothing")
    for try await _ in client.mapAsCompleted("divide", [Fraction](), as: Double.self) {
        throw CheckFailed(description: "an as-completed map of nothing yielded")
    }

    do {
        _ = try await client.call("no-such-service", 1, as: Int.self)
        throw CheckFailed(description: "an unknown service answered")
    } catch let error as ServiceError {
        try check(error.kind == .noSuchService, "unexpected error \(error)")
    }
    // Services that call services, more of them at once than the workers have slots.
    let sums = try await client.map("collatz-sum", (0..<8).map { [$0 * 100 + 1, $0 * 100 + 100] }, as: Int.self)
    try check(sums == (try (0..<8).map { block in try (block * 100 + 1...block * 100 + 100).map(stoppingTime).reduce(0, +) }),
              "collatz-sum is \(sums)")

    // A lookup that waits for a name registered later.
    async let found = client.lookup("results/ready", timeout: 30)
    try await Task.sleep(nanoseconds: 200_000_000)
    await client.register("results/ready", value: Array("yes".utf8))
    try check(String(decoding: try await found, as: UTF8.self) == "yes", "the waiting lookup")

    let offers = await client.services()
    print("services check passed: 1000 answers in order, 100 as completed, errors typed; offered by ranks \(offers["collatz"]?.sorted() ?? [])")
}
exit(status.rawValue)
