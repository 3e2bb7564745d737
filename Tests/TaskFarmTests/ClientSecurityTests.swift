import Foundation
import JobSpec
import XCTest

@testable import TaskFarm

/// What keeps a served farm's token its owner's and its endpoints up, without MPI: the
/// connection file against another user in the folder, the connection table, the refusal
/// log, the live status and the checks on what the queue replays.
final class ClientSecurityTests: XCTestCase {
    private let nobody: uid_t = 65534

    private func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("security-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o777)  // a folder another user may write in, as in the attack
        return path
    }

    /// The attack of issue 15: another user pre-creates the temporary names (a file of
    /// theirs, a symbolic link to a file of theirs). The farm writes through neither, draws
    /// another name, and the file it leaves is its own, mode 0600.
    func testTheConnectionFileIsNeverWrittenThroughANameAnotherUserMade() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/taskfarm.connection"
        let planted = folder + "/taskfarm.connection.tmp.planted"
        let link = folder + "/taskfarm.connection.tmp.link"
        let stolen = folder + "/stolen"
        XCTAssertTrue(FileManager.default.createFile(atPath: planted, contents: nil))
        XCTAssertTrue(FileManager.default.createFile(atPath: stolen, contents: nil))
        chmod(planted, 0o666)
        chmod(stolen, 0o666)
        let asRoot = geteuid() == 0
        if asRoot {
            XCTAssertEqual(chown(planted, nobody, nobody), 0)
            XCTAssertEqual(chown(stolen, nobody, nobody), 0)
        }
        XCTAssertEqual(symlink(stolen, link), 0)

        var names = [planted, link, folder + "/taskfarm.connection.tmp.fresh"]
        let token = try ConnectionFile.makeToken()
        try ConnectionFile(host: "127.0.0.1", port: 4242, runID: 7, token: token).write(to: path) { names.removeFirst() }
        XCTAssertTrue(names.isEmpty, "both planted names were refused and a third drawn")

        XCTAssertEqual(try String(contentsOfFile: planted, encoding: .utf8), "", "nothing written into the planted file")
        XCTAssertEqual(try String(contentsOfFile: stolen, encoding: .utf8), "", "nothing written through the link")
        var info = stat()
        XCTAssertEqual(lstat(path, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFREG)
        XCTAssertEqual(info.st_uid, geteuid())
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        XCTAssertEqual(try ConnectionFile(path: path).token, token)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/taskfarm.connection.tmp.fresh"), "renamed into place")
        if asRoot {
            XCTAssertEqual(lstat(planted, &info), 0)
            XCTAssertEqual(info.st_uid, nobody, "the planted file is left as it was")
        }
    }

    /// Every name drawn taken: the write fails, naming the file, and writes nothing.
    func testAConnectionFileWriteGivesUpWhenEveryNameIsTaken() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let planted = folder + "/planted"
        XCTAssertTrue(FileManager.default.createFile(atPath: planted, contents: nil))
        let file = ConnectionFile(host: "h", port: 1, runID: 1, token: "t")
        XCTAssertThrowsError(try file.write(to: folder + "/taskfarm.connection") { planted }) { error in
            XCTAssertTrue("\(error)".contains("taskfarm.connection: cannot write the connection file"), "\(error)")
            XCTAssertEqual((error as? ClientError)?.exitStatus, .cannotCreate)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/taskfarm.connection"))
    }

    /// A client uses only a connection file of its own user that nobody else may read or
    /// change (exit 77 otherwise); a missing one means no farm (69).
    func testAClientRefusesAConnectionFileThatIsNotItsOwnOrIsOpenToOthers() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/taskfarm.connection"
        try ConnectionFile(host: "127.0.0.1", port: 4242, runID: 7, token: "t").write(to: path)
        XCTAssertEqual(try ConnectionFile(path: path).runID, 7)

        chmod(path, 0o644)
        XCTAssertThrowsError(try ConnectionFile(path: path)) { error in
            XCTAssertEqual((error as? ClientError)?.kind, .notPermitted)
            XCTAssertTrue("\(error)".contains("permissions 644"), "\(error)")
            XCTAssertEqual((error as? ClientError)?.exitStatus.rawValue, 77)
        }
        chmod(path, 0o600)
        if geteuid() == 0 {
            XCTAssertEqual(chown(path, nobody, nobody), 0)
            XCTAssertThrowsError(try ConnectionFile(path: path)) { error in
                XCTAssertEqual((error as? ClientError)?.kind, .notPermitted)
                XCTAssertTrue("\(error)".contains("owned by uid 65534"), "\(error)")
            }
        }
        XCTAssertThrowsError(try ConnectionFile(path: folder + "/absent.connection")) { error in
            XCTAssertEqual((error as? ClientError)?.exitStatus.rawValue, 69)
        }
        XCTAssertThrowsError(try ConnectionFile(path: folder)) { error in
            XCTAssertEqual((error as? ClientError)?.kind, .invalid, "a folder is not a connection file")
        }
    }

    func testAFullConnectionTableEvictsTheOldestUnauthenticatedConnectionOnly() {
        final class Connection {}
        let table = ConnectionTable<Connection>(maximum: 3)
        let connections = (0..<5).map { _ in Connection() }
        func admit(_ index: Int) -> ConnectionTable<Connection>.Admission {
            table.admit(connections[index], id: ObjectIdentifier(connections[index]))
        }
        for index in 0..<3 {
            guard case .admitted(evicting: nil) = admit(index) else { return XCTFail("room for \(index)") }
        }
        table.authenticated(ObjectIdentifier(connections[0]))
        guard case .admitted(evicting: let evicted?) = admit(3) else { return XCTFail("the fourth evicts one") }
        XCTAssertTrue(evicted === connections[1], "the oldest unauthenticated, not the authenticated one")
        XCTAssertEqual(table.count, 3)
        table.authenticated(ObjectIdentifier(connections[2]))
        table.authenticated(ObjectIdentifier(connections[3]))
        guard case .refused = admit(4) else { return XCTFail("every place is authenticated: refused") }
        table.remove(ObjectIdentifier(connections[0]))
        guard case .admitted(evicting: nil) = admit(4) else { return XCTFail("a place came free") }
    }

    func testRefusalsAreLoggedOneByOneUpToTheBurstThenSummedUp() {
        final class Lines: @unchecked Sendable {
            let lock = NSLock()
            var all: [String] = []
        }
        let lines = Lines()
        let log = RefusalLog(burst: 3, window: 60) { line in lines.lock.withLock { lines.all.append(line) } }
        for second in 0..<100 { log.refused("10.0.0.\(second)", "wrong or missing token", now: Double(second) / 10) }
        XCTAssertEqual(lines.all.count, 3, lines.all.joined(separator: "\n"))
        XCTAssertTrue(lines.all[0].hasPrefix("client 10.0.0.0: wrong or missing token"), lines.all[0])
        XCTAssertTrue(lines.all[2].contains("counted, not logged"), lines.all[2])
        log.refused("10.0.0.200", "junk", now: 61)
        XCTAssertEqual(lines.all.count, 5)
        XCTAssertEqual(lines.all[3], "97 more client connections were refused and not logged one by one")
        XCTAssertTrue(lines.all[4].hasPrefix("client 10.0.0.200: junk"))
        log.flush()
        XCTAssertEqual(lines.all.count, 5, "nothing left to sum up")
    }

    // MARK: The live status

    private func completion(_ position: Int, exit: Int) -> TaskCompletion {
        TaskCompletion(position: position, attempt: 1, workerRank: 2, outcome: .exited, exitCode: exit,
                       startTime: 0, endTime: 1)
    }

    func testTheLiveStatusFollowsEachChangeAndListsABoundedNumberOfFailures() throws {
        let status = QueueStatus(runID: 9, states: [.succeeded, .pending], replay: try JournalReplay(data: Data()))
        let ad = WorkerAd(rank: 2, host: "node1", cores: 2, memoryBytes: 1 << 30, slots: 1)
        status.appended(count: QueueStatus.listLimit + 10)
        let total = 2 + QueueStatus.listLimit + 10
        status.taskStarted(position: 1, attempt: 1, worker: ad, time: 4)
        for position in stride(from: total - 1, through: 2, by: -1) {  // out of order: the list stays sorted
            status.taskEnded(position: position, state: .failed, completion: completion(position, exit: 3), worker: ad)
        }
        status.taskUnrunnable(position: 5, reason: "needs 64 slots")
        let report = status.report(workers: [ad], now: 5)
        XCTAssertEqual(report.taskCount, total)
        XCTAssertEqual(report.counts[.succeeded], 1)
        XCTAssertEqual(report.counts[.running], 1)
        XCTAssertEqual(report.counts[.failed], total - 2)
        XCTAssertEqual(report.counts[.pending] ?? 0, 0)
        XCTAssertEqual(report.running.map(\.position), [1])
        XCTAssertEqual(report.running.first?.host, "node1")
        XCTAssertEqual(report.failures.count + report.unrunnable.count, QueueStatus.listLimit)
        XCTAssertEqual(report.failures.prefix(3).map(\.position), [2, 3, 4])
        XCTAssertEqual(report.unrunnable.map(\.position), [5])
        XCTAssertEqual(report.unlisted, total - 2 - QueueStatus.listLimit)
        XCTAssertTrue(report.text.hasPrefix("run 9, \(total) tasks: 1 succeeded, \(total - 2) failed, 0 timed out, 0 cancelled, 1 running"),
                      report.text)
        XCTAssertTrue(report.json.contains("\"unlisted\": \(report.unlisted)"), report.json)

        status.taskEnded(position: 1, state: .succeeded, completion: completion(1, exit: 0), worker: ad)
        XCTAssertEqual(status.report(workers: []).counts[.succeeded], 2)
        XCTAssertTrue(status.report(workers: []).running.isEmpty)
    }

    // MARK: What the queue takes and replays

    func testASubmissionMayNotSetTheBrokersAttributesOrAnExpressionThatDoesNotParse() {
        let source = SourceLocation(file: "taskfarm submit", line: 0)
        var spec = TaskSpec(position: 0, arrayIndex: 0, command: .argv(["true"]), requirements: "Memory > 100",
                            source: source, attributes: ["classad.Name": "\"a\""])
        XCTAssertNil(QueueBroker.submissionProblem(spec))
        spec.attributes["queue.after"] = "999999"
        XCTAssertEqual(QueueBroker.submissionProblem(spec).map { $0.contains("'queue.after' is reserved") }, true)
        spec.attributes["queue.after"] = nil
        spec.rank = "Memory >"
        XCTAssertEqual(QueueBroker.submissionProblem(spec).map { $0.hasPrefix("rank is not a ClassAd expression") }, true)
    }

    /// Issue 15's poisoned serve: a task journaled with a `queue.after` naming a task that
    /// does not exist (or a later one, or not a number) is cancelled with the reason on
    /// replay, with a warning naming the record, instead of crashing every later serve.
    func testAJournaledTaskWithImpossibleParentsIsCancelledOnReplayNotACrash() throws {
        let folderPath = FileManager.default.temporaryDirectory.appendingPathComponent("poisoned-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folderPath) }
        let folder = try StateFolder(path: folderPath)
        let job = QueueJob(name: "queue")
        let source = SourceLocation(file: "taskfarm submit", line: 0)
        for after in [nil, "999999", "0", "3", "x", "0,"] {
            var spec = TaskSpec(position: 0, arrayIndex: 0, command: .argv(["true"]), source: source)
            if let after { spec.attributes[QueueBroker.afterAttribute] = after }
            job.append(spec)
        }
        XCTAssertEqual(QueueBroker.parentsProblem(of: job.task(at: 1), at: 1).map { $0.contains("'999999'") }, true)
        XCTAssertNil(QueueBroker.parentsProblem(of: job.task(at: 2), at: 2))

        let replay = try JournalReplay(data: Data())
        var core = SchedulerCore(taskCount: job.taskCount, policy: SchedulerPolicy(retries: 0, prefetchPerSlot: 0))
        let status = QueueStatus(runID: 1, states: core.states, replay: replay)
        let journal = try JournalWriter(path: folder.journalFile)
        let broker = QueueBroker(job: job, journal: journal, folder: folder, status: status)
        var warnings: [String] = []
        broker.restore(core: &core, replay: replay) { warnings.append($0) }
        XCTAssertEqual(warnings.count, 4, warnings.joined(separator: "\n"))
        XCTAssertTrue(warnings[0].contains("position 1 is not run: queue.after '999999'"), warnings[0])
        XCTAssertTrue(warnings.allSatisfy { $0.hasPrefix(folder.journalFile) }, "each names the journal")
        XCTAssertTrue(core.isHeld(2), "a good parent still holds its child")
    }
}
