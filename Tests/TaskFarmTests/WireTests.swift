import JobSpec
import XCTest

@testable import TaskFarm

/// A small deterministic generator (SplitMix64), so fuzz and simulation runs repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

final class WireTests: XCTestCase {
    func task(_ command: TaskCommand, environment: TaskEnvironment = .inherit(set: [:])) -> TaskSpec {
        TaskSpec(position: 12, arrayIndex: -3, command: command, environment: environment, workingDirectory: nil,
                 stdout: nil, stderr: nil, slots: 4, timeLimit: nil, source: SourceLocation(file: "", line: 0),
                 label: "")
    }

    /// The fields a TaskAssignment carries (the label and source stay on rank 0).
    func assertSameAssignment(_ decoded: TaskAssignment, _ original: TaskAssignment, file: StaticString = #filePath,
                              line: UInt = #line) {
        XCTAssertEqual(decoded.attempt, original.attempt, file: file, line: line)
        let (a, b) = (decoded.task, original.task)
        XCTAssertEqual(a.stdout, b.stdout, file: file, line: line)
        XCTAssertEqual(a.stderr, b.stderr, file: file, line: line)
        XCTAssertEqual(a.position, b.position, file: file, line: line)
        XCTAssertEqual(a.arrayIndex, b.arrayIndex, file: file, line: line)
        XCTAssertEqual(a.command, b.command, file: file, line: line)
        XCTAssertEqual(a.environment, b.environment, file: file, line: line)
        XCTAssertEqual(a.workingDirectory, b.workingDirectory, file: file, line: line)
        XCTAssertEqual(a.slots, b.slots, file: file, line: line)
        XCTAssertEqual(a.timeLimit, b.timeLimit, file: file, line: line)
        XCTAssertEqual(a.attributes, b.attributes, file: file, line: line)
    }

    func testTaskAssignmentRoundTripsEveryShape() throws {
        let environments: [TaskEnvironment] = [
            .inherit(set: [:]), .inherit(set: ["A": "1", "EMPTY": "", "UNI": "δ=ü"]),
            .clean(set: ["PATH": "/bin"]), .clean(set: [:]),
            .inheritOnly(names: ["HOME", "PATH"], set: ["X": "y"]), .inheritOnly(names: [], set: [:]),
        ]
        let commands: [TaskCommand] = [
            .argv(["/bin/echo", "", "a b", "résumé"]), .argv([]), .shell("exit 3 # 'x'"), .shell(""),
        ]
        for environment in environments {
            for command in commands {
                var spec = task(command, environment: environment)
                spec.workingDirectory = "/tmp/wd"
                spec.timeLimit = 2.5
                spec.attributes = ["Cluster": "17", "log": "/x/y"]
                (spec.stdout, spec.stderr) = ("out/%a.out", "out/%a.out")
                let assignment = TaskAssignment(task: spec, attempt: 3)
                assertSameAssignment(try TaskAssignment(decoding: assignment.encode()), assignment)
            }
        }
        var granted = TaskAssignment(task: task(.argv(["x"])), attempt: 2)
        (granted.cpus, granted.gpus, granted.hostHasGPUs, granted.bind) = ([3, 0, 70], ["GPU-a", "1"], true, true)
        granted.task.memoryMiB = 4096
        let decodedGrant = try TaskAssignment(decoding: granted.encode())
        XCTAssertEqual(decodedGrant.cpus, [3, 0, 70])
        XCTAssertEqual(decodedGrant.gpus, ["GPU-a", "1"])
        XCTAssertTrue(decodedGrant.hostHasGPUs && decodedGrant.bind)
        XCTAssertEqual(decodedGrant.task.memoryMiB, 4096)
        let bare = TaskAssignment(task: task(.argv(["x"])), attempt: 1)
        let decoded = try TaskAssignment(decoding: bare.encode())
        assertSameAssignment(decoded, bare)
        XCTAssertNil(decoded.task.workingDirectory)
        XCTAssertNil(decoded.task.timeLimit)
        XCTAssertNil(decoded.task.stdout)
    }

    func testTaskCompletionRoundTrips() throws {
        let full = TaskCompletion(position: Int.max, attempt: 2, workerRank: 5, outcome: .signaled, exitCode: nil,
                                  signal: 9, startTime: 1_700_000_000.125, endTime: 1_700_000_001.5,
                                  userSeconds: 0.25, systemSeconds: 0.0625, maxResidentKiB: 123_456,
                                  message: "killed ✝")
        XCTAssertEqual(try TaskCompletion(decoding: full.encode()), full)
        let minimal = TaskCompletion(position: 0, attempt: 1, workerRank: 0, outcome: .exited, exitCode: 0,
                                     startTime: 0, endTime: 0)
        XCTAssertEqual(try TaskCompletion(decoding: minimal.encode()), minimal)
        for outcome in [TaskOutcome.exited, .signaled, .timedOut, .cancelled, .interrupted, .failedToStart] {
            let completion = TaskCompletion(position: -1, attempt: 1, workerRank: 2, outcome: outcome, exitCode: 127,
                                            startTime: -1.5, endTime: 3)
            XCTAssertEqual(try TaskCompletion(decoding: completion.encode()), completion)
        }
    }

    func testExtremeIntegersRoundTrip() throws {
        for value in [0, 1, -1, 63, 64, -64, -65, 127, 128, Int(Int32.max), Int.max, Int.min] {
            var writer = WireWriter()
            writer.write(value)
            var reader = WireReader(writer.bytes)
            XCTAssertEqual(try reader.readInt(), value)
            XCTAssertTrue(reader.isAtEnd)
        }
    }

    func testNameServerMessagesRoundTrip() throws {
        let requests = [
            NameServerRequest(id: 1, operation: .register, key: "worker/3", value: [0, 255, 7], minimum: 0),
            NameServerRequest(id: 2, operation: .lookup, key: "service/fft", timeout: 0),
            NameServerRequest(id: 3, operation: .list, key: "worker/", minimum: 8, timeout: 300),
            NameServerRequest(id: 4, operation: .unregister, key: ""),
        ]
        for request in requests {
            XCTAssertEqual(try NameServerRequest(decoding: request.encode()), request)
        }
        let replies = [
            NameServerReply(id: 9),
            NameServerReply(id: 10, error: "no such name: x"),
            NameServerReply(id: 11, entries: [NameEntry(key: "worker/1", value: [1, 2, 3], owner: 1),
                                              NameEntry(key: "worker/2", value: [], owner: 2)]),
        ]
        for reply in replies {
            XCTAssertEqual(try NameServerReply(decoding: reply.encode()), reply)
        }
    }

    func testWorkerAdJobContextAndControlMessagesRoundTrip() throws {
        let ad = WorkerAd(rank: 7, host: "node-7.example", cores: 64, memoryBytes: 256 << 30, slots: 3,
                          services: ["fft", "io"], diskKiB: 123_456_789, arch: "X86_64", opSys: "LINUX",
                          cpuIDs: [0, 2, 64], cpuLimit: 3, gpuIDs: ["0", "GPU-5"])
        XCTAssertEqual(try WorkerAd(decoding: ad.encode()), ad)
        let context = JobContext(runID: 1_234_567, taskCount: 1_000_000, jobName: "sweep δ", killGrace: 0.75,
                                 workingDirectory: "/scratch/run 1", enforceMemory: true)
        XCTAssertEqual(try JobContext(decoding: context.encode()), context)
        for reason in [StopReason.finished, .interrupted, .cancelled] {
            XCTAssertEqual(try StopMessage(decoding: StopMessage(reason: reason).encode()).reason, reason)
            let cancel = CancelMessage(position: 99, reason: reason)
            XCTAssertEqual(try CancelMessage(decoding: cancel.encode()), cancel)
        }
    }

    func testEveryTruncationThrows() throws {
        var spec = task(.argv(["/bin/echo", "hello"]), environment: .inheritOnly(names: ["A"], set: ["B": "c"]))
        spec.attributes = ["k": "v"]
        (spec.stdout, spec.stderr) = ("o", "e")
        let messages: [([UInt8], ([UInt8]) throws -> Void)] = [
            (TaskAssignment(task: spec, attempt: 1).encode(), { _ = try TaskAssignment(decoding: $0) }),
            (TaskCompletion(position: 1, attempt: 1, workerRank: 2, outcome: .exited, exitCode: 0, startTime: 1,
                            endTime: 2, message: "m").encode(), { _ = try TaskCompletion(decoding: $0) }),
            (NameServerRequest(id: 1, operation: .register, key: "k", value: [1, 2], timeout: 1).encode(),
             { _ = try NameServerRequest(decoding: $0) }),
            (NameServerReply(id: 1, entries: [NameEntry(key: "k", value: [1], owner: 0)]).encode(),
             { _ = try NameServerReply(decoding: $0) }),
            (WorkerAd(rank: 1, host: "h", cores: 1, memoryBytes: 1, slots: 1, services: ["s"]).encode(),
             { _ = try WorkerAd(decoding: $0) }),
            (JobContext(runID: 1, taskCount: 2, jobName: "j", killGrace: 1, workingDirectory: "/").encode(),
             { _ = try JobContext(decoding: $0) }),
        ]
        for (bytes, decode) in messages {
            XCTAssertNoThrow(try decode(bytes))
            for length in 0..<bytes.count {
                XCTAssertThrowsError(try decode(Array(bytes.prefix(length))), "prefix of \(length) of \(bytes.count)") {
                    XCTAssertTrue($0 is WireError, "\($0)")
                }
            }
        }
    }

    /// Garbage must be rejected with a `WireError` or decode to something, never trap or
    /// try to allocate what a corrupt length claims.
    func testRandomBytesNeverCrashTheDecoders() {
        var random = SeededGenerator(seed: 0x7A5C_FA23)
        for round in 0..<4000 {
            let count = Int.random(in: 0...48, using: &random)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            // Every fourth round starts with a huge varint, the kind that overflows a length.
            if round % 4 == 0 { bytes = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] + bytes }
            if round % 4 == 1 { bytes = [0x02, 0x02, 0x00] + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F] + bytes }
            let decoders: [([UInt8]) throws -> Void] = [
                { _ = try TaskAssignment(decoding: $0) }, { _ = try TaskCompletion(decoding: $0) },
                { _ = try NameServerRequest(decoding: $0) }, { _ = try NameServerReply(decoding: $0) },
                { _ = try WorkerAd(decoding: $0) }, { _ = try JobContext(decoding: $0) },
                { _ = try StopMessage(decoding: $0) }, { _ = try CancelMessage(decoding: $0) },
            ]
            for decode in decoders {
                do { try decode(bytes) } catch { XCTAssertTrue(error is WireError, "\(error)") }
            }
        }
    }
}
