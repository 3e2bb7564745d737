import Foundation
import TestSupport
import XCTest

/// Issue 15's attacks on a served farm, replayed under a real mpirun: each is turned away
/// with a clear answer, nothing runs without the token, and a normal `submit`/`wait` goes on
/// working throughout.
final class QueueAttackTests: XCTestCase {
    private func hello(token: String, version: Int = 2) -> String { "{\"version\": \(version), \"token\": \"\(token)\"}" }

    /// A submit request that would create `file` if the farm ran it.
    private func submitTouching(_ file: String, version: Int = 2, token: String? = nil, attributes: String = "{}") -> String {
        let tokenField = token.map { "\"token\": \"\($0)\", " } ?? ""
        return """
            {"version": \(version), \(tokenField)"id": 1, "operation": "submit", "tasks": [{"after": [], "spec": \
            {"position": 0, "arrayIndex": 0, "command": {"argv": {"_0": ["touch", "\(file)"]}}, \
            "environment": {"inherit": {"set": {}}}, "slots": 1, "source": {"file": "attack", "line": 0, "column": 0}, \
            "label": "attack", "attributes": \(attributes)}}]}
            """
    }

    /// Huge frames, junk, requests without a hello, a wrong token, the old protocol carrying
    /// the right token, slowloris connections past the cap, and a submission setting the
    /// broker's own `queue.after`: each is refused, none runs, and the log stays short.
    func testEndpointAttacksAreTurnedAwayWhileSubmitAndWaitGoOn() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try ServedFarm(in: folder, extra: ["--max-connections", "16", "--auth-timeout", "60"])
        let token = farm.token
        XCTAssertEqual(token.count, 64, farm.log)
        let brokerPort = try farm.brokerPort()

        for port in [farm.port, brokerPort] {
            // A 16 MiB frame announced before the token: closed at once, nothing buffered.
            let huge = try XCTUnwrap(RawConnection(port: port))
            huge.write([0x01, 0x00, 0x00, 0x00, 0x7B])
            XCTAssertTrue(huge.isClosedByFarm(within: 20), "a first frame over 4 KiB closes the connection")
            let justOver = try XCTUnwrap(RawConnection(port: port))
            justOver.write([0x00, 0x00, 0x10, 0x01])
            XCTAssertTrue(justOver.isClosedByFarm(within: 20))

            // Junk, and a request that skips the hello.
            let junk = try XCTUnwrap(RawConnection(port: port))
            var random = SystemRandomNumberGenerator()
            junk.write((0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) })
            XCTAssertTrue(junk.isClosedByFarm(within: 20))
            let noHello = try XCTUnwrap(RawConnection(port: port))
            noHello.writeFrame(submitTouching("pwned-no-hello"))
            XCTAssertTrue(noHello.isClosedByFarm(within: 20))

            // A wrong token is answered "not permitted", then closed.
            let wrong = try XCTUnwrap(RawConnection(port: port))
            wrong.writeFrame(hello(token: String(repeating: "0", count: 64)))
            let refusal = wrong.readFrame(timeout: 20)
            XCTAssertEqual(refusal?["errorKind"] as? String, "notPermitted", "\(refusal ?? [:])")
            XCTAssertTrue(wrong.isClosedByFarm(within: 20))

            // The old protocol (the token in each request) is refused, even with the right token.
            let old = try XCTUnwrap(RawConnection(port: port))
            old.writeFrame(submitTouching("pwned-old-protocol", version: 1, token: token))
            XCTAssertEqual(old.readFrame(timeout: 20)?["errorKind"] as? String, "invalid")
        }

        // A submission may not set the broker's own attributes (it crashed every later serve).
        let poisoner = try XCTUnwrap(RawConnection(port: brokerPort))
        poisoner.writeFrame(hello(token: token))
        XCTAssertNil(poisoner.readFrame(timeout: 20)?["error"] as? String, "the right token is welcome")
        poisoner.writeFrame(submitTouching("pwned-poison", attributes: "{\"queue.after\": \"999999\"}"))
        let poisoned = poisoner.readFrame(timeout: 20)
        XCTAssertEqual(poisoned?["errorKind"] as? String, "invalid", "\(poisoned ?? [:])")
        XCTAssertTrue((poisoned?["error"] as? String)?.contains("'queue.after' is reserved") == true, "\(poisoned ?? [:])")

        // 40 slowloris connections against a cap of 16: the oldest make way; clients get in.
        var slow: [RawConnection] = []
        for _ in 0..<40 {
            let connection = try XCTUnwrap(RawConnection(port: brokerPort))
            connection.write([0x00, 0x00])
            slow.append(connection)
        }
        XCTAssertEqual(try farm.client(["submit", "--", "touch", "normal"]).stdout, "0\n", farm.log)
        let waited = try farm.client(["wait", "0"])
        XCTAssertEqual(waited.status, 0, waited.stderr + farm.log)
        let evicted = slow.prefix(24).filter { $0.isClosedByFarm(within: 20) }.count
        XCTAssertEqual(evicted, 24, "the oldest unauthenticated connections made way")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("normal").path))

        // The secret never leaves the name server, whatever the prefix.
        for prefix in ["", "f", "farm"] {
            let listed = try farm.client(["name", "list", prefix])
            XCTAssertEqual(listed.status, 0, listed.stderr)
            XCTAssertFalse(listed.stdout.contains(token), "name list '\(prefix)' shows the token")
            XCTAssertFalse(listed.stdout.contains("farm/"), listed.stdout)
        }

        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        XCTAssertFalse(names.contains { $0.hasPrefix("pwned") }, "nothing ran without the token: \(names)")
        let refusals = farm.log.split(separator: "\n").filter { $0.contains("closing the connection") }
        XCTAssertLessThanOrEqual(refusals.count, 20, "at most 10 lines per endpoint:\n" + farm.log)
        XCTAssertTrue(farm.log.contains("were refused and not logged one by one"), farm.log)
    }

    /// A connection that never sends its hello, or trickles it, is closed after
    /// --auth-timeout; an authenticated one with nothing open after --idle-timeout; a
    /// `wait` for a task longer than that is never cut.
    func testSilentAndTricklingConnectionsAreClosedButALongWaitIsNot() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try ServedFarm(in: folder, extra: ["--auth-timeout", "1", "--idle-timeout", "1"])
        let brokerPort = try farm.brokerPort()
        let silent = try XCTUnwrap(RawConnection(port: brokerPort))
        let trickle = try XCTUnwrap(RawConnection(port: brokerPort))
        let helloBytes = Array(hello(token: farm.token).utf8)
        trickle.write([0x00, 0x00, 0x00, UInt8(helloBytes.count)])
        var trickleClosed = false
        for byte in helloBytes.prefix(20) {  // 20 bytes over 6 s: the hello never completes in time
            guard trickle.write([byte]) else {
                trickleClosed = true
                break
            }
            Thread.sleep(forTimeInterval: 0.3)
        }
        XCTAssertTrue(trickleClosed || trickle.isClosedByFarm(within: 20), "a trickled hello is cut at the deadline")
        XCTAssertTrue(silent.isClosedByFarm(within: 20), "a silent connection is closed")

        let idle = try XCTUnwrap(RawConnection(port: brokerPort))
        idle.writeFrame(hello(token: farm.token))
        XCTAssertNotNil(idle.readFrame(timeout: 20))
        XCTAssertTrue(idle.isClosedByFarm(within: 20), "an idle authenticated connection is closed")

        XCTAssertEqual(try farm.client(["submit", "--", "sleep", "3"]).stdout, "0\n")
        let waited = try farm.client(["wait", "0"])
        XCTAssertEqual(waited.status, 0, "a wait outlasting --idle-timeout is answered: " + waited.stderr + farm.log)
        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)
    }

    /// The token-theft attack: another user fills a folder anyone may write in with every
    /// name `taskfarm.connection.tmp.<pid>` could take (pid_max names), as symbolic links
    /// to a file of theirs. The farm writes through none of them, its connection file is
    /// its own with mode 0600, and it serves.
    func testPlantedTemporaryNamesNeitherStealTheTokenNorStopTheFarm() throws {
        let folder = try Harness.temporaryFolder()
        chmod(folder.path, 0o777)
        let stolen = folder.appendingPathComponent("stolen").path
        XCTAssertTrue(FileManager.default.createFile(atPath: stolen, contents: nil))
        chmod(stolen, 0o666)
        if geteuid() == 0 { XCTAssertEqual(chown(stolen, 65534, 65534), 0) }
        let pidMax = Int((try? String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 32768
        for pid in 1...min(pidMax, 65536) {
            symlink(stolen, folder.appendingPathComponent("taskfarm.connection.tmp.\(pid)").path)
        }

        let farm = try ServedFarm(in: folder)
        XCTAssertEqual(try farm.client(["submit", "--", "touch", "served"]).stdout, "0\n", farm.log)
        XCTAssertEqual(try farm.client(["wait", "0"]).status, 0, farm.log)
        XCTAssertEqual(try String(contentsOfFile: stolen, encoding: .utf8), "", "the token was written through a link")
        var info = stat()
        XCTAssertEqual(lstat(folder.appendingPathComponent("taskfarm.connection").path, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFREG, "the connection file is no link")
        XCTAssertEqual(info.st_uid, geteuid())
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)
    }

    /// A client polling `status` as fast as it can does not stall dispatch, on a queue of
    /// 20,000 held tasks (a status that re-read the journal took seconds per poll there).
    func testAClientPollingStatusDoesNotStallDispatch() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try ServedFarm(in: folder, extra: ["--slots-per-worker", "2"])  // one for the sleep, one for the rest
        XCTAssertEqual(try farm.client(["submit", "--", "sleep", "600"]).stdout, "0\n", farm.log)
        try Harness.write(String(repeating: "sleep 600\n", count: 20_000), to: "held.txt", in: folder)
        XCTAssertEqual(try farm.client(["submit", "--after", "0", "--file", "held.txt"]).stdout, "1-20000\n", farm.log)
        try Harness.write(String(repeating: "true\n", count: 300), to: "quick.txt", in: folder)

        let poller = try ChildProcess("/bin/sh", ["-c", "while \"$0\" status --connect taskfarm.connection > last-status; do :; done",
                                                  Harness.taskfarm],
                                      in: folder, environment: Harness.mpiEnvironment,
                                      stdout: "/dev/null", stderr: folder.appendingPathComponent("poller.err").path)
        defer { poller.stopGroup() }
        XCTAssertEqual(try farm.client(["submit", "--file", "quick.txt"]).stdout, "20001-20300\n", farm.log)
        let waited = try farm.client(["wait", "20001-20300"], timeout: 180)
        XCTAssertEqual(waited.status, 0, waited.stderr + farm.log)
        XCTAssertTrue(poller.isRunning, "every status answered: " + (Harness.read("poller.err", in: folder) ?? ""))
        let status = try farm.client(["status", "--connect", "taskfarm.connection"])
        XCTAssertTrue(status.stdout.contains("20301 tasks: 300 succeeded, 0 failed, 0 timed out, 0 cancelled, 1 running, 0 interrupted, 20000 pending"),
                      status.stdout)
        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(timeout: 60), 0, farm.log)
    }

    /// Issue 15's poisoned serve, replayed: a submission journaled by an older farm with
    /// `queue.after` naming task 999999 (and no `--after`) crashed rank 0 on every later
    /// serve. Now the farm serves, cancels that task with the reason, warns naming the
    /// record, and takes new work.
    func testAPoisonedJournalRecordIsCancelledAndTheFarmServes() throws {
        let folder = try Harness.temporaryFolder()
        var farm = try ServedFarm(in: folder)
        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)

        let task = """
            {"arrayIndex":0,"attributes":{"queue.after":"999999"},"command":{"argv":{"_0":["touch","pwned"]}},\
            "environment":{"inherit":{"set":{}}},"label":"touch pwned","position":0,"slots":1,\
            "source":{"column":0,"file":"taskfarm submit","line":0}}
            """
        let record = "submitted\t0\t" + task
        let checksum = String(Self.crc32(Array(record.utf8)), radix: 16)
        let line = String(repeating: "0", count: 8 - checksum.count) + checksum + "\t" + record + "\n"
        let journal = try FileHandle(forWritingTo: folder.appendingPathComponent("queue.taskfarm/journal"))
        try journal.seekToEnd()
        try journal.write(contentsOf: Data(line.utf8))
        try journal.close()

        farm = try ServedFarm(in: folder)
        let poisoned = try farm.client(["wait", "0"])
        XCTAssertEqual(poisoned.status, 1, poisoned.stderr + farm.log)
        XCTAssertTrue(poisoned.stdout.hasPrefix("0 cancelled: not run: the journaled task's queue.after '999999'"), poisoned.stdout)
        XCTAssertTrue(farm.log.contains("the task submitted at position 0 is not run"), farm.log)
        XCTAssertEqual(try farm.client(["submit", "--", "touch", "fine"]).stdout, "1\n", farm.log)
        XCTAssertEqual(try farm.client(["wait", "1"]).status, 0, farm.log)
        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("pwned").path))
    }

    /// CRC-32 (IEEE), bit by bit, to forge a journal record as an older farm (or anyone who
    /// can write the state folder) would have left it.
    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Clients end with sysexits statuses: no farm 69, a connection file open to others 77.
    func testClientExitStatusesSayWhetherTheFarmIsAbsentOrTheFileIsNotTrusted() throws {
        let folder = try Harness.temporaryFolder()
        let run = { (arguments: [String]) throws -> Harness.Outcome in
            try Harness.run(Harness.taskfarm, arguments, in: folder, timeout: 60)
        }
        let missing = try run(["status", "--connect", "absent.connection"])
        XCTAssertEqual(missing.status, 69, missing.stderr)
        try Harness.write("{\"version\": 1, \"host\": \"127.0.0.1\", \"port\": 1, \"runID\": 1, \"token\": \"\(String(repeating: "a", count: 64))\"}",
                          to: "dead.connection", in: folder)
        chmod(folder.appendingPathComponent("dead.connection").path, 0o600)
        let dead = try run(["submit", "--connect", "dead.connection", "--", "true"])
        XCTAssertEqual(dead.status, 69, dead.stderr)
        XCTAssertTrue(dead.stderr.contains("cannot reach the farm at 127.0.0.1:1: Connection refused"), dead.stderr)
        XCTAssertFalse(dead.stderr.contains("SingleConnectionFailure"), "no SwiftNIO internals: \(dead.stderr)")
        // A stale file whose port another program took: it answers, but not as a farm.
        let other = try XCTUnwrap(HTTPListener())
        try Harness.write("{\"version\": 1, \"host\": \"127.0.0.1\", \"port\": \(other.port), \"runID\": 1, \"token\": \"\(String(repeating: "a", count: 64))\"}",
                          to: "taken.connection", in: folder)
        chmod(folder.appendingPathComponent("taken.connection").path, 0o600)
        let taken = try run(["status", "--connect", "taken.connection"])
        XCTAssertEqual(taken.status, 69, taken.stderr)
        XCTAssertTrue(taken.stderr.contains("127.0.0.1:\(other.port) does not answer as a taskfarm farm"), taken.stderr)
        let mute = try XCTUnwrap(HTTPListener(silent: true))
        try Harness.write("{\"version\": 1, \"host\": \"127.0.0.1\", \"port\": \(mute.port), \"runID\": 1, \"token\": \"\(String(repeating: "a", count: 64))\"}",
                          to: "mute.connection", in: folder)
        chmod(folder.appendingPathComponent("mute.connection").path, 0o600)
        let unanswered = try run(["status", "--connect", "mute.connection"])
        XCTAssertEqual(unanswered.status, 69, "the client gives up instead of hanging: \(unanswered.stderr)")
        XCTAssertTrue(unanswered.stderr.contains("did not answer as a taskfarm farm within"), unanswered.stderr)
        chmod(folder.appendingPathComponent("dead.connection").path, 0o644)
        let open = try run(["submit", "--connect", "dead.connection", "--", "true"])
        XCTAssertEqual(open.status, 77, open.stderr)
        XCTAssertTrue(open.stderr.contains("permissions 644"), open.stderr)
    }
}

/// A listener on 127.0.0.1 that answers every connection as a web server would, then closes
/// it, or (`silent`) accepts and never answers: what a stale connection file's port may hold
/// once another program took it.
private final class HTTPListener {
    let port: Int
    private let descriptor: Int32

    init?(silent: Bool = false) {
        let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listening >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listening, $0, length) == 0 && listen(listening, 8) == 0 && getsockname(listening, $0, &length) == 0
            }
        }
        guard bound else {
            close(listening)
            return nil
        }
        descriptor = listening
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread {
            while true {
                let client = accept(listening, nil, nil)
                guard client >= 0 else { return }
                if silent { continue }  // held open, never answered
                let answer = Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8)
                _ = answer.withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(client)
            }
        }
    }

    deinit { shutdown(descriptor, Int32(SHUT_RDWR)); close(descriptor) }
}
