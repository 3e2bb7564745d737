#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import XCTest

@testable import TaskFarm

final class NameTableTests: XCTestCase {
    func testRegisterLookupListUnregister() {
        var table = NameTable()
        table.register("worker/3", value: [3], owner: 3)
        table.register("worker/10", value: [10], owner: 10)
        table.register("service/fft", value: [9], owner: 3)
        table.register("worker", value: [0], owner: 0)
        XCTAssertEqual(table.count, 4)
        XCTAssertEqual(table.lookup("worker/3"), NameEntry(key: "worker/3", value: [3], owner: 3))
        XCTAssertNil(table.lookup("worker/4"))
        XCTAssertEqual(table.list(prefix: "worker/").map(\.key), ["worker/10", "worker/3"], "sorted by key")
        XCTAssertEqual(table.list(prefix: "").count, 4)
        table.register("worker/3", value: [33], owner: 4)
        XCTAssertEqual(table.lookup("worker/3")?.value, [33], "a new binding replaces the old")
        XCTAssertEqual(table.count, 4)
        XCTAssertTrue(table.unregister("worker/10"))
        XCTAssertFalse(table.unregister("worker/10"))
        table.removeAll(ownedBy: 3)
        XCTAssertNil(table.lookup("service/fft"))
        XCTAssertNotNil(table.lookup("worker/3"), "owned by 4 now")
        XCTAssertEqual(table.count, 2)
    }
}

/// The name server role over an in-memory network: rank 1 serves, ranks 0 and 2 ask.
final class NameServerRoleTests: XCTestCase {
    var ranks: InProcessRanks!
    var clients: [Int: NameServerClient] = [:]
    var server: NameServer!

    override func setUp() {
        ranks = InProcessRanks(size: 3)
        server = NameServer(transport: ranks.transport(1))
        for rank in 0..<3 {
            let client = NameServerClient(transport: ranks.transport(rank), serverRank: 1)
            clients[rank] = client
            let roles: [RankRole] = rank == 1 ? [client, server] : [client]
            ranks.add(RankLoop(transport: ranks.transport(rank), roles: roles))
        }
    }

    /// Sends a request from `rank` and collects its replies (at most one is expected).
    func ask(_ rank: Int, _ operation: NameServerRequest.Operation, _ key: String, value: [UInt8] = [],
             minimum: Int = 0, timeout: Double? = nil) throws -> Replies {
        let replies = Replies()
        try clients[rank]!.request(operation, key: key, value: value, minimum: minimum, timeout: timeout) {
            replies.all.append($0)
        }
        return replies
    }

    final class Replies {
        var all: [NameServerReply] = []
    }

    func testRegisterThenLookupFromAnotherRank() throws {
        let registered = try ask(2, .register, "worker/2", value: [1, 2, 3])
        try ranks.settle()
        XCTAssertEqual(registered.all.count, 1)
        XCTAssertNil(registered.all.first?.error)
        let found = try ask(0, .lookup, "worker/2", timeout: 0)
        try ranks.settle()
        XCTAssertEqual(found.all.first?.entries, [NameEntry(key: "worker/2", value: [1, 2, 3], owner: 2)])
        XCTAssertEqual(server.table.lookup("worker/2")?.owner, 2, "the owner is the rank that sent it")
    }

    /// A rank that leaves takes its names with it; others' names stay.
    func testNamesDisappearWhenTheirRankLeaves() throws {
        _ = try ask(2, .register, "worker/2", value: [2])
        _ = try ask(2, .register, "service/fft/2", value: [7])
        _ = try ask(0, .register, "results/ready", value: [1])
        try ranks.settle()
        try clients[2]!.leave()
        try ranks.settle()
        XCTAssertNil(server.table.lookup("worker/2"))
        XCTAssertNil(server.table.lookup("service/fft/2"))
        XCTAssertNotNil(server.table.lookup("results/ready"))
        let found = try ask(0, .lookup, "service/fft/2", timeout: 0)
        try ranks.settle()
        XCTAssertNotNil(found.all.first?.error, "a lookup after the leave finds nothing")
    }

    func testLookupWithTimeoutZeroForAMissingNameIsAnError() throws {
        let replies = try ask(0, .lookup, "service/none", timeout: 0)
        try ranks.settle()
        XCTAssertEqual(replies.all.count, 1)
        XCTAssertTrue(replies.all.first?.error?.contains("service/none") ?? false, "\(replies.all)")
        XCTAssertEqual(replies.all.first?.entries, [])
    }

    func testLookupWithoutTimeoutWaitsForTheName() throws {
        let replies = try ask(0, .lookup, "service/fft")
        try ranks.settle()
        XCTAssertTrue(replies.all.isEmpty, "not there yet: the lookup waits")
        _ = try ask(2, .register, "service/fft", value: [7])
        try ranks.settle()
        XCTAssertEqual(replies.all.count, 1)
        XCTAssertNil(replies.all.first?.error)
        XCTAssertEqual(replies.all.first?.entries.first?.value, [7])
    }

    func testListWithAMinimumIsAnsweredOnlyWhenEnoughExist() throws {
        let list = try ask(0, .list, "worker/", minimum: 2, timeout: 300)
        _ = try ask(2, .register, "worker/2", value: [2])
        _ = try ask(0, .register, "other/0", value: [0])
        try ranks.settle()
        XCTAssertTrue(list.all.isEmpty, "one worker of two: no answer yet")
        _ = try ask(1, .register, "worker/1", value: [1])
        try ranks.settle()
        XCTAssertEqual(list.all.count, 1)
        XCTAssertNil(list.all.first?.error)
        XCTAssertEqual(list.all.first?.entries.map(\.key), ["worker/1", "worker/2"])
        _ = try ask(2, .register, "worker/3", value: [3])
        try ranks.settle()
        XCTAssertEqual(list.all.count, 1, "a request is answered once")
    }

    func testListThatTimesOutReportsWhatItHas() throws {
        _ = try ask(2, .register, "worker/2", value: [2])
        let immediate = try ask(0, .list, "worker/", minimum: 3, timeout: 0)
        let shortly = try ask(0, .list, "worker/", minimum: 3, timeout: 0.001)
        try ranks.settle()
        XCTAssertEqual(immediate.all.count, 1)
        XCTAssertNotNil(immediate.all.first?.error)
        XCTAssertEqual(immediate.all.first?.entries.map(\.key), ["worker/2"])
        usleep(5000)
        try ranks.settle()
        XCTAssertEqual(shortly.all.count, 1, "the deadline passed")
        XCTAssertTrue(shortly.all.first?.error?.contains("1 of 3") ?? false, "\(shortly.all)")
    }

    func testUnregister() throws {
        _ = try ask(2, .register, "service/x", value: [1])
        let removed = try ask(2, .unregister, "service/x")
        let again = try ask(2, .unregister, "service/x")
        try ranks.settle()
        XCTAssertNil(removed.all.first?.error)
        XCTAssertNotNil(again.all.first?.error)
        XCTAssertNil(server.table.lookup("service/x"))
    }

    func testStopEndsTheServer() throws {
        XCTAssertFalse(server.isFinished)
        try ranks.transport(0).send(StopMessage(reason: .finished).encode(), to: 1, tag: .stop)
        try ranks.settle()
        XCTAssertTrue(server.isFinished)
    }
}
