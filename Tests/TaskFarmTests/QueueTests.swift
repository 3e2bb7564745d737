import Foundation
import JobSpec
import MPI
import XCTest

@testable import TaskFarm

/// The queue's pure parts, without MPI: the scheduler core growing at run time, the
/// `--after` rule, the name table, the connection file and the client protocol.
final class QueueTests: XCTestCase {
    private func worker(_ rank: Int, slots: Int = 1) -> WorkerAd {
        WorkerAd(rank: rank, host: "h", cores: 8, memoryBytes: 1 << 30, slots: slots)
    }

    private func assigned(_ decisions: [SchedulerCore.Decision]) -> [Int] {
        decisions.compactMap {
            if case .assign(let position, _, _) = $0 { return position }
            return nil
        }
    }

    private func done(_ position: Int, exit: Int = 0, worker: Int = 1) -> TaskCompletion {
        TaskCompletion(position: position, attempt: 1, workerRank: worker, outcome: .exited, exitCode: exit,
                       startTime: 0, endTime: 1)
    }

    // MARK: SchedulerCore at run time

    func testAnEmptyCoreStartsTasksAppendedLater() {
        var core = SchedulerCore(taskCount: 0, policy: SchedulerPolicy(prefetchPerSlot: 0))
        core.addWorker(worker(1, slots: 2))
        XCTAssertTrue(core.dispatch().isEmpty)
        XCTAssertTrue(core.isDone(), "an empty queue is idle")
        XCTAssertEqual(core.appendTasks(count: 3), 0..<3)
        XCTAssertEqual(assigned(core.dispatch()), [0, 1])
        _ = core.complete(done(0))
        XCTAssertEqual(assigned(core.dispatch()), [2])
        XCTAssertEqual(core.appendTasks(count: 1), 3..<4)
        _ = core.complete(done(1))
        XCTAssertEqual(assigned(core.dispatch()), [3])
    }

    func testHeldTasksAreSkippedUntilReleasedEvenAfterTheCursorPassed() {
        var core = SchedulerCore(taskCount: 0, policy: SchedulerPolicy(prefetchPerSlot: 0))
        core.addWorker(worker(1, slots: 4))
        core.appendTasks(count: 3)
        core.hold(1)
        XCTAssertEqual(assigned(core.dispatch()), [0, 2], "the held task does not block those after it")
        XCTAssertTrue(core.dispatch().isEmpty)
        core.release(1)
        XCTAssertEqual(assigned(core.dispatch()), [1])
    }

    func testCancellingQueuedTasksEndsThemAndSkipsThem() {
        var core = SchedulerCore(taskCount: 0, policy: SchedulerPolicy(prefetchPerSlot: 0))
        core.appendTasks(count: 3)
        core.hold(2)
        let decisions = core.cancel(0, reason: "by hand")
        guard case .finished(0, .cancelled, let completion) = decisions.first else {
            return XCTFail("expected a cancelled end, got \(decisions)")
        }
        XCTAssertEqual(completion.message, "by hand")
        XCTAssertTrue(core.cancel(2, reason: "parent failed").count == 1, "a held task can be cancelled")
        XCTAssertTrue(core.cancel(0, reason: "again").isEmpty, "an ended task is not cancelled twice")
        core.addWorker(worker(1, slots: 4))
        XCTAssertEqual(assigned(core.dispatch()), [1])
        XCTAssertNotNil(core.worker(running: 1))
        XCTAssertTrue(core.cancel(1, reason: "running").isEmpty, "a running task is the worker's to stop")
    }

    func testACancelledRetryIsNotDispatched() {
        var core = SchedulerCore(taskCount: 0, policy: SchedulerPolicy(retries: 1, prefetchPerSlot: 0))
        core.addWorker(worker(1))
        core.appendTasks(count: 1)
        XCTAssertEqual(assigned(core.dispatch()), [0])
        _ = core.complete(done(0, exit: 1))
        XCTAssertEqual(core.states[0], .pending, "queued for its retry")
        XCTAssertEqual(core.cancel(0, reason: "stop").count, 1)
        XCTAssertTrue(assigned(core.dispatch()).isEmpty)
        XCTAssertTrue(core.isDone())
    }

    // MARK: --after (afterok)

    func testAfterHoldsUntilEveryParentSucceeds() {
        var rule = QueueDependencies()
        var states: [TaskState] = [.running, .pending, .succeeded]
        XCTAssertEqual(rule.admit(3, parents: [0, 1, 2], stateOf: { states[$0] }), .held)
        states[0] = .succeeded
        XCTAssertEqual(rule.ended(0, state: .succeeded).released, [], "parent 1 is still open")
        let after = rule.ended(1, state: .succeeded)
        XCTAssertEqual(after.released, [3])
        XCTAssertTrue(after.cancelled.isEmpty)
        XCTAssertEqual(rule.heldCount, 0)
    }

    func testAFailedParentCancelsItsChildrenWithTheReason() {
        var rule = QueueDependencies()
        let states: [TaskState] = [.running, .running]
        XCTAssertEqual(rule.admit(2, parents: [0], stateOf: { states[$0] }), .held)
        XCTAssertEqual(rule.admit(3, parents: [0, 1], stateOf: { states[$0] }), .held)
        let after = rule.ended(0, state: .failed)
        XCTAssertEqual(after.released, [])
        XCTAssertEqual(after.cancelled.map(\.task), [2, 3])
        XCTAssertTrue(after.cancelled[0].reason.contains("parent task 0 failed"), after.cancelled[0].reason)
        XCTAssertTrue(rule.ended(1, state: .succeeded).released.isEmpty, "a cancelled child is never released")
    }

    func testParentsThatAlreadyEndedDecideAtOnce() {
        var rule = QueueDependencies()
        let states: [TaskState] = [.succeeded, .timedOut]
        XCTAssertEqual(rule.admit(2, parents: [0], stateOf: { states[$0] }), .ready)
        XCTAssertEqual(rule.admit(3, parents: [], stateOf: { states[$0] }), .ready)
        guard case .cancelled(let reason) = rule.admit(4, parents: [0, 1], stateOf: { states[$0] }) else {
            return XCTFail("a timed-out parent cancels")
        }
        XCTAssertTrue(reason.contains("timed out"), reason)
    }

    // MARK: The name table

    func testNameTableBindsListsAndForgetsByOwner() {
        var table = NameTable()
        table.register("worker/2", value: [1], owner: 2)
        table.register("worker/3", value: [2], owner: 3)
        table.register("broker", value: Array("h:1".utf8), owner: 0)
        XCTAssertEqual(table.lookup("broker")?.value, Array("h:1".utf8))
        XCTAssertEqual(table.list(prefix: "worker/").map(\.key), ["worker/2", "worker/3"])
        table.removeAll(ownedBy: 2)
        XCTAssertEqual(table.list(prefix: "worker/").map(\.key), ["worker/3"])
        XCTAssertTrue(table.unregister("broker"))
        XCTAssertFalse(table.unregister("broker"))
        XCTAssertNil(table.lookup("broker"))
    }

    // MARK: The connection file and the protocol

    func testTheConnectionFileIsWrittenForItsOwnerOnlyAndReadBack() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("conn-\(UUID().uuidString)").path
        defer { unlink(path) }
        let token = try ConnectionFile.makeToken()
        XCTAssertEqual(token.count, 64)
        XCTAssertNotEqual(token, try ConnectionFile.makeToken())
        try ConnectionFile(host: "127.0.0.1", port: 4242, runID: 7, token: token).write(to: path)
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        let read = try ConnectionFile(path: path)
        XCTAssertEqual(read, ConnectionFile(host: "127.0.0.1", port: 4242, runID: 7, token: token))
        XCTAssertTrue(ConnectionFile.tokensMatch(expected: token, given: token))
        XCTAssertFalse(ConnectionFile.tokensMatch(expected: token, given: String(token.dropLast()) + "x"))
        XCTAssertFalse(ConnectionFile.tokensMatch(expected: token, given: ""))
    }

    func testAMissingConnectionFileNamesItself() {
        XCTAssertThrowsError(try ConnectionFile(path: "/nonexistent/farm.connection")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/farm.connection"), "\(error)")
        }
    }

    func testListenTakesAHostAndAnOptionalPort() throws {
        func address(_ listen: String?) throws -> String {
            let parsed = try ServeOptions(farm: FarmOptions(jobPath: "q"), listen: listen).listenAddress(defaultHost: "node1")
            return "\(parsed.host) \(parsed.port)"
        }
        XCTAssertEqual(try address(nil), "node1 0")
        XCTAssertEqual(try address("127.0.0.1"), "127.0.0.1 0")
        XCTAssertEqual(try address("127.0.0.1:9000"), "127.0.0.1 9000")
        XCTAssertEqual(try address("[::1]:9000"), "::1 9000")
        XCTAssertEqual(try address("::1"), "::1 0")
        XCTAssertThrowsError(try address("host:99999"))
    }

    func testSubmittedTasksSurviveTheJournalRoundTrip() throws {
        let spec = TaskSpec(position: 4, arrayIndex: 4, command: .argv(["echo", "a\tb\nc"]), workingDirectory: "/w",
                            source: SourceLocation(file: "taskfarm submit", line: 0), attributes: ["queue.after": "1,2"])
        let json = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        let record = JournalRecord.submitted(position: 0, task: json)
        let line = record.line
        XCTAssertEqual(try JournalRecord(line: Substring(line.dropLast())), record)
        let header = JournalRecord.header(version: 1, runID: 1, taskCount: 0, fingerprint: "queue", jobFile: "(queue)")
        let replay = JournalReplay(data: Data((header.line + line).utf8))
        XCTAssertEqual(replay.submitted.map(\.position), [0])
        XCTAssertEqual(replay.states.count, 1)
        let back = try JSONDecoder().decode(TaskSpec.self, from: Data(replay.submitted[0].task.utf8))
        XCTAssertEqual(back, spec)
        XCTAssertEqual(QueueBroker.parents(of: back).map(\.id), [1, 2])
    }
}

/// The services' routing and wire format, without MPI.
final class ServiceRoutingTests: XCTestCase {
    func testCallsGoToTheLeastLoadedOfferingWorkerUpToTheLimit() {
        var router = ServiceRouter(perWorkerLimit: 2)
        router.addOffer("fft", worker: 2)
        router.addOffer("fft", worker: 3)
        router.addOffer("io", worker: 3)
        XCTAssertTrue(router.isOffered("fft"))
        XCTAssertFalse(router.isOffered("nope"))
        for id in 1...5 { router.enqueue(id, service: "fft") }
        let first = router.assignments()
        XCTAssertEqual(first.map(\.id), [1, 2, 3, 4], "first in, first out")
        XCTAssertEqual(first.filter { $0.worker == 2 }.count, 2, "balanced")
        XCTAssertEqual(first.filter { $0.worker == 3 }.count, 2)
        XCTAssertEqual(router.queuedCount, 1, "every worker is at its limit")
        router.enqueue(6, service: "io")
        XCTAssertTrue(router.assignments().isEmpty, "worker 3 is full, and only it offers io")
        router.completed(worker: 3)
        let next = router.assignments()
        XCTAssertEqual(next.map(\.worker), [3], "the freed slot is used at once")
        XCTAssertEqual(router.load(of: 3), 2)
        router.completed(worker: 2)
        router.completed(worker: 3)
        XCTAssertEqual(Set(router.assignments().map(\.id) + next.map(\.id)), [5, 6])
        let (two, three) = (router.load(of: 2), router.load(of: 3))
        XCTAssertEqual(two + three, 3)
        XCTAssertEqual(router.assignUrgent(7, service: "fft"), two < three ? 2 : 3, "urgent: to the least loaded")
        XCTAssertNotNil(router.assignUrgent(8, service: "io"), "urgent: past the limit")
        XCTAssertEqual(router.load(of: 3), three + (two < three ? 0 : 1) + 1)
        XCTAssertNil(router.assignUrgent(9, service: "nope"))
        XCTAssertEqual(router.queuedCount, 0)
    }

    func testServiceMessagesRoundTripWithTypedErrors() throws {
        let call = ServiceCallMessage(id: 9, service: "divide", batch: true, format: .json, payload: PayloadBytes(Array("[1,2]".utf8)))
        XCTAssertEqual(try ServiceCallMessage(decoding: call.encode()), call)
        let failure = ServiceReplyMessage(id: 9, result: .failure(
            ServiceError(.serviceThrew, service: "divide", message: "1 / 0", errorType: "M.DivisionByZero")))
        XCTAssertEqual(try ServiceReplyMessage(decoding: failure.encode()), failure)
        let success = ServiceReplyMessage(id: 10, result: .success(PayloadBytes(Array("0.5".utf8))))
        XCTAssertEqual(try ServiceReplyMessage(decoding: success.encode()), success)
        XCTAssertThrowsError(try ServiceCallMessage(decoding: Array(call.encode().dropLast(3))), "a truncated message")
    }

    func testARegisteredServiceDecodesRunsAndTypesItsErrors() async throws {
        struct Odd: Error, CustomStringConvertible { var description: String { "odd input" } }
        let registry = ServiceRegistry()
        registry.register("half") { (n: Int) async throws -> Int in
            guard n % 2 == 0 else { throw Odd() }
            return n / 2
        }
        let service = try XCTUnwrap(registry.services["half"])
        let client = ServiceClient(queue: MPIThreadQueue(), sink: NoSink(), nameServer: NameServerClient(
            transport: InMemoryNetwork(size: 1).transport(rank: 0), serverRank: 0))
        let half = try await service.single(PayloadBytes(Array("8".utf8)), .json, client).get()
        XCTAssertEqual(half, Array("4".utf8))
        let halves = try await service.batch(PayloadBytes(Array("[2,4,6]".utf8)), .json, client).get()
        XCTAssertEqual(halves, Array("[1,2,3]".utf8))
        // From the program's own ranks: the binary coding, answered in kind.
        let binary = try await service.batch(PayloadBytes(BinaryEncoder().encode([10, 20])), .binary, client).get()
        XCTAssertEqual(try BinaryDecoder().decode([Int].self, from: binary), [5, 10])
        guard case .failure(let error) = await service.single(PayloadBytes(Array("3".utf8)), .json, client) else { return XCTFail("3 is odd") }
        XCTAssertEqual(error.kind, .serviceThrew)
        XCTAssertEqual(error.message, "odd input")
        XCTAssertTrue(error.errorType?.hasSuffix("Odd") == true, "\(error)")
        guard case .failure(let bad) = await service.single(PayloadBytes(Array("\"x\"".utf8)), .json, client) else { return XCTFail("not an Int") }
        XCTAssertEqual(bad.kind, .badInput)
        XCTAssertEqual(try ServiceClient.chunks(10, size: 4, service: "half"), [0..<4, 4..<8, 8..<10])
    }

    /// Python's `map` raises `ValueError: chunksize must be >= 1`; a chunk size below 1 was
    /// taken as 1 here. Lookup timeouts that are negative or NaN (which waited for ever) are
    /// refused the same way, before anything is sent.
    func testOutOfRangeClientArgumentsAreRefusedBeforeAnythingIsSent() async throws {
        let client = ServiceClient(queue: MPIThreadQueue(), sink: NoSink(), nameServer: NameServerClient(
            transport: InMemoryNetwork(size: 1).transport(rank: 0), serverRank: 0))
        for size in [0, -1, Int.min] {
            XCTAssertThrowsError(try ServiceClient.chunks(10, size: size, service: "half")) { error in
                XCTAssertEqual((error as? ServiceError)?.kind, .invalidArgument)
                XCTAssertEqual("\(error)", "service half: chunkSize \(size): expected 1 or more inputs per chunk")
            }
            // Even with nothing to map, as Python checks before it looks at the inputs.
            do {
                _ = try await client.map("half", [Int](), chunkSize: size, as: Int.self)
                XCTFail("map took chunkSize \(size)")
            } catch {
                XCTAssertEqual(error.kind, .invalidArgument)
            }
            do {
                for try await _ in client.mapAsCompleted("half", [Int](), chunkSize: size, as: Int.self) {}
                XCTFail("mapAsCompleted took chunkSize \(size)")
            } catch {
                XCTAssertEqual((error as? ServiceError)?.kind, .invalidArgument)
            }
        }
        for seconds in [-1, -0.001, .nan, .infinity, -.infinity] {
            XCTAssertNotNil(LookupTimeout.problem(seconds, name: "--wait"), "\(seconds)")
        }
        XCTAssertEqual(LookupTimeout.problem(-2, name: "--wait"), "--wait -2.0: expected seconds of 0 or more")
        XCTAssertNil(LookupTimeout.problem(0, name: "--wait"))
        XCTAssertNil(LookupTimeout.problem(30, name: "--wait"))
        XCTAssertEqual(ClientLimits(maximumConnections: 0, authenticationTimeout: 10, idleTimeout: 300).problem,
                       "--max-connections 0: expected a whole number from 1 to 1000000")
        XCTAssertNotNil(ClientLimits(maximumConnections: 5, authenticationTimeout: .nan, idleTimeout: 300).problem)
    }

    func testASynchronousServiceRunsAtOnceAndFailsAsAnAsyncOneDoes() async throws {
        struct Negative: Error, CustomStringConvertible { var description: String { "negative input" } }
        let registry = ServiceRegistry()
        registry.register("negate") { (n: Int) throws -> Int in
            guard n >= 0 else { throw Negative() }
            return -n
        }
        registry.register("refuse") { (_: String) throws -> String in
            throw ServiceError(.notFound, service: "elsewhere", message: "passed through as it is")
        }
        registry.register("async") { (n: Int) async throws -> Int in n }
        registry.register("plain") { (n: Int) in n + 1 }
        let service = try XCTUnwrap(registry.services["negate"])
        let immediate = try XCTUnwrap(service.immediate, "a closure declared throws, not async, registers as synchronous")
        XCTAssertNotNil(registry.services["plain"]?.immediate, "so does one that says neither, and never awaits")
        XCTAssertNil(registry.services["async"]?.immediate, "an async handler keeps its task")

        let chunk = try BinaryEncoder().encode([0, Int.max, 7])
        XCTAssertEqual(try BinaryDecoder().decode([Int].self, from: immediate(PayloadBytes(chunk), .binary, true).get()), [0, -Int.max, -7])
        XCTAssertEqual(try BinaryDecoder().decode(Int.self, from: immediate(PayloadBytes(try BinaryEncoder().encode(5)), .binary, false).get()), -5)
        XCTAssertEqual(try immediate(PayloadBytes(Array("[1,2]".utf8)), .json, true).get(), Array("[-1,-2]".utf8), "from outside: JSON")
        XCTAssertEqual([], try BinaryDecoder().decode([Int].self, from: immediate(PayloadBytes([0]), .binary, true).get()), "an empty chunk")
        // The async entry points run it too (what a one-rank farm's tests call).
        let client = ServiceClient(queue: MPIThreadQueue(), sink: NoSink(), nameServer: NameServerClient(
            transport: InMemoryNetwork(size: 1).transport(rank: 0), serverRank: 0))
        let viaTask = await service.single(PayloadBytes(Array("4".utf8)), .json, client)
        XCTAssertEqual(try viaTask.get(), Array("-4".utf8))

        guard case .failure(let thrown) = immediate(PayloadBytes(try BinaryEncoder().encode([1, -1])), .binary, true) else {
            return XCTFail("-1 is negative")
        }
        XCTAssertEqual(thrown.kind, .serviceThrew)
        XCTAssertEqual(thrown.message, "negative input")
        XCTAssertTrue(thrown.errorType?.hasSuffix("Negative") == true, "\(thrown)")
        guard case .failure(let passed) = registry.services["refuse"]?.immediate?(PayloadBytes(try BinaryEncoder().encode("x")), .binary, false) else {
            return XCTFail("refuse throws")
        }
        XCTAssertEqual(passed, ServiceError(.notFound, service: "elsewhere", message: "passed through as it is"))
    }

    func testAnInputOfTheWrongTypeIsABadInputErrorNotACrash() throws {
        let registry = ServiceRegistry()
        registry.register("sum") { (values: [Double]) throws -> Double in values.reduce(0, +) }
        let immediate = try XCTUnwrap(registry.services["sum"]?.immediate)
        let wrong: [[UInt8]] = [
            try BinaryEncoder().encode([["text"]]),  // a chunk of [String] for a chunk of [Double]
            try BinaryEncoder().encode([[1, 2, 3]]),  // varints where 8-byte floats belong
            [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],  // a varint past 64 bits
            [],
        ]
        for bytes in wrong {
            guard case .failure(let error) = immediate(PayloadBytes(bytes), .binary, true) else { return XCTFail("\(bytes) decoded") }
            XCTAssertEqual(error.kind, .badInput, "\(bytes): \(error)")
            XCTAssertEqual(error.service, "sum")
            XCTAssertTrue(error.message.contains("binary decoding"), error.message)
        }
        XCTAssertEqual(try BinaryDecoder().decode([Double].self, from: immediate(PayloadBytes(try BinaryEncoder().encode([[0.5, 0.25], []])), .binary, true).get()),
                       [0.75, 0])
    }
}

private final class NoSink: ServiceCallSink {
    func send(service: String, payload: PayloadBytes, batch: Bool, format: PayloadFormat,
              completion: @escaping (Result<PayloadBytes, ServiceError>) -> Void) throws {
        completion(.failure(ServiceError(.stopped, service: service, message: "no farm")))
    }
}
