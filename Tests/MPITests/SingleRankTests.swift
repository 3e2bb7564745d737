import MPI
import XCTest

/// Tests in this process, a world of one rank (Open MPI singleton initialization).
final class SingleRankTests: XCTestCase {
    override class func setUp() {
        super.setUp()
        if !MPI.isInitialized { _ = try? MPI.initialize(threadLevel: .multiple) }
    }

    private var world: Communicator { .world }

    func testInitializeTwiceIsAnErrorNotAnAbort() {
        XCTAssertThrowsError(try MPI.initialize()) { error in
            XCTAssertEqual((error as? MPIError)?.kind, .other)
            XCTAssertTrue("\(error)".contains("already initialized"), "\(error)")
        }
    }

    func testWorldOfOneAndEnvironment() throws {
        XCTAssertEqual(world.rank, 0)
        XCTAssertEqual(world.size, 1)
        XCTAssertEqual(try world.compare(world), .identical)
        XCTAssertTrue(world.isPredefined)
        XCTAssertEqual(MPI.standardVersion().major, 3)
        XCTAssertTrue(try MPI.libraryVersion().hasPrefix("Open MPI"))
        XCTAssertFalse(try MPI.processorName().isEmpty)
    }

    func testSendToSelfRoundTripsWithoutLoss() throws {
        let request = try world.isend([1.5, -2.25, .greatestFiniteMagnitude], to: 0, tag: 5)
        let (values, status) = try world.receive(Double.self, from: 0, tag: 5)
        try request.wait()
        XCTAssertEqual(values, [1.5, -2.25, .greatestFiniteMagnitude])
        XCTAssertEqual(status.source, 0)
        XCTAssertEqual(status.tag, 5)
        XCTAssertEqual(status.count(of: Double.self), 3)
        XCTAssertTrue(request.isComplete)
    }

    func testIsendRetainsTheArraySoCallerMutationsDoNotLeakIntoTheMessage() throws {
        var values = Array(0..<1000)
        let request = try world.isend(values, to: 0, tag: 4)
        values[0] = -1
        values.removeAll()
        let (received, _) = try world.receive(Int.self, from: 0, tag: 4)
        try request.wait()
        XCTAssertEqual(received, Array(0..<1000))
    }

    func testDroppedActiveSendStillDeliversIntactData() throws {
        // 800 kB to self goes by rendezvous: the send cannot complete before the receive.
        do { _ = try world.isend(Array(0..<100_000), to: 0, tag: 12) }
        let (received, _) = try world.receive(Int.self, from: 0, tag: 12)
        XCTAssertEqual(received, Array(0..<100_000))
    }

    func testUnsafeNonblockingPairUsesTheCallersMemory() throws {
        var outgoing: [UInt32] = [1, 2, 3, 4]
        var incoming = [UInt32](repeating: 0, count: 4)
        try outgoing.withUnsafeBytes { out in
            try incoming.withUnsafeMutableBytes { into in
                let receive = try world.irecv(unsafe: into, from: 0, tag: 3)
                let send = try world.isend(unsafe: out, to: 0, tag: 3)
                try Request.waitAll([receive, send])
            }
        }
        outgoing[0] = 0
        XCTAssertEqual(incoming, [1, 2, 3, 4])
    }

    func testReceiveFromInvalidRankThrowsRankErrorWithContext() {
        XCTAssertThrowsError(try world.receive(Int.self, from: 1, tag: 0)) { error in
            guard let error = error as? MPIError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .rank)
            XCTAssertEqual(error.errorClass, 6)
            XCTAssertEqual(error.routine, "MPI_Mprobe")
            XCTAssertTrue(error.context?.contains("rank 1") == true && error.context?.contains("communicator size 1") == true,
                          error.description)
        }
    }

    func testTruncationAndCountOverflowAreReported() throws {
        try world.send([UInt8](repeating: 7, count: 16), to: 0, tag: 6)
        var small = [UInt8](repeating: 0, count: 4)
        XCTAssertThrowsError(try world.receive(into: &small, from: 0, tag: 6)) { error in
            XCTAssertEqual((error as? MPIError)?.kind, .truncate)
        }
        XCTAssertThrowsError(try world.irecv(Double.self, count: Int(Int32.max), from: 0, tag: 0)) { error in
            XCTAssertEqual((error as? MPIError)?.kind, .count)
        }
    }

    func testCodableValueToSelf() throws {
        struct Job: Codable, Equatable { var id: Int; var command: String; var retries: Int?; var weights: [Float] }
        let job = Job(id: 7, command: "/bin/true", retries: nil, weights: [0.5, 2])
        try world.send(encoding: job, to: 0, tag: 8)
        let (decoded, _) = try world.receive(decoding: Job.self, from: 0, tag: 8)
        XCTAssertEqual(decoded, job)
    }

    func testMatchedProbeReceivesExactlyThatMessage() throws {
        try world.send([Int32(1), 2], to: 0, tag: 9)
        try world.send([Int32(3)], to: 0, tag: 9)
        let first = try world.matchedProbe(from: 0, tag: 9)
        let firstCount = first.status.count(of: Int32.self)
        XCTAssertEqual(firstCount, 2)
        guard let second = try world.matchedProbeIfPending(from: 0, tag: 9) else {
            _ = try first.receive(Int32.self)
            return XCTFail("the second message is pending")
        }
        let (secondValues, _) = try second.receive(Int32.self)
        let (firstValues, _) = try first.receive(Int32.self)
        XCTAssertEqual(secondValues, [3], "the second message, received first")
        XCTAssertEqual(firstValues, [1, 2], "the first message stayed matched to its Message")
        if let extra = try world.matchedProbeIfPending(from: 0, tag: 9) {
            let (values, _) = try extra.receive(Int32.self)
            XCTFail("no third message was sent, got \(values)")
        }
    }

    /// Owned bytes of unknown size: exactly the message, including an empty one, with its status.
    func testReceiveBytesOwnsExactlyTheMessage() throws {
        try world.send([UInt8]([7, 8, 9]), to: 0, tag: 11)
        try world.send([UInt8](), to: 0, tag: 12)
        let bytes = try world.receiveBytes(from: 0, tag: 11)
        XCTAssertEqual(bytes.count, 3)
        XCTAssertEqual(bytes[2], 9)
        XCTAssertEqual(bytes.array, [7, 8, 9])
        XCTAssertEqual(bytes.withUnsafeBytes { $0.reduce(0) { $0 + Int($1) } }, 24)
        XCTAssertEqual(bytes.status.tag, 11)
        XCTAssertEqual(bytes.status.byteCount, 3)
        let empty = try world.receiveBytes(from: 0, tag: 12)
        XCTAssertTrue(empty.isEmpty)
        XCTAssertEqual(empty.array, [])
    }

    func testDerivedCommunicatorsAreFreedExplicitlyAndForgettingIsCounted() throws {
        let copy = try world.dup()
        XCTAssertEqual(try world.compare(copy.communicator), .congruent)
        XCTAssertFalse(copy.communicator.isPredefined)
        try copy.free()
        guard let alone = try world.split(color: 3) else { return XCTFail("color 3 gives a communicator") }
        XCTAssertEqual(alone.size, 1)
        try alone.free()
        if let nothing = try world.split(color: nil) {
            XCTFail("a nil color gives no communicator")
            try nothing.free()
        }
        let before = DerivedCommunicator.forgottenCount
        _ = try world.splitByNode()
        XCTAssertEqual(DerivedCommunicator.forgottenCount, before + 1)
    }

    func testReductionsOnOneRankAreIdentities() throws {
        XCTAssertEqual(try world.allReduce([3, -4], operation: .sum), [3, -4])
        XCTAssertEqual(try world.reduce(2.5, operation: .product, root: 0), 2.5)
        XCTAssertNil(try world.exclusiveScan(1, operation: .sum))
        XCTAssertEqual(try world.allReduce(LocatedValue(value: 1.5, location: 0), operation: .maxLoc),
                       LocatedValue(value: 1.5, location: 0))
        XCTAssertThrowsError(try world.allReduce(1.0, operation: .bitwiseAnd)) { error in
            XCTAssertEqual((error as? MPIError)?.kind, .op)
        }
    }

    func testCancelWorksForReceivesAndIsRefusedForSends() throws {
        let receive = try world.irecv(Int.self, count: 1, from: 0, tag: 77)
        try receive.cancel()
        XCTAssertTrue(try receive.wait().isCancelled)
        let send = try world.isend([1], to: 0, tag: 78)
        XCTAssertThrowsError(try send.cancel()) { XCTAssertEqual(($0 as? MPIError)?.kind, .request) }
        _ = try world.receive(Int.self, from: 0, tag: 78)
        XCTAssertFalse(try send.wait().isCancelled)
    }

    func testPublishAndLookupInTheSameJob() throws {
        let port = try MPI.openPort()
        try MPI.publishName("single-rank-test", port: port)
        XCTAssertEqual(try MPI.lookupName("single-rank-test"), port)
        try MPI.unpublishName("single-rank-test", port: port)
        XCTAssertThrowsError(try MPI.lookupName("single-rank-test")) { XCTAssertEqual(($0 as? MPIError)?.kind, .name) }
        try MPI.closePort(port)
    }

    /// The async wait must not block its actor: the send that completes the receive is made
    /// on the same (main) actor while the wait is pending. A blocking wait would deadlock.
    @MainActor
    func testAsyncWaitLeavesItsActorFreeToMakeTheMatchingSend() async throws {
        let world = Communicator.world
        let request = try world.irecv(Int.self, count: 2, from: 0, tag: 88)
        let waiter = Task { @MainActor in try await request.waitAsync() }
        await Task.yield()
        try world.send([4, 5], to: 0, tag: 88)
        let status = try await waiter.value
        XCTAssertEqual(status.count(of: Int.self), 2)
        XCTAssertEqual(try request.received(as: Int.self), [4, 5])
    }

    func testPublicValueTypesAreSendable() {
        func requireSendable<T: Sendable & ~Copyable>(_: T.Type) {}
        requireSendable(Communicator.self)
        requireSendable(DerivedCommunicator.self)
        requireSendable(Status.self)
        requireSendable(Request.self)
        requireSendable(Message.self)
        requireSendable(MPIError.self)
        requireSendable(ReductionOperation.self)
        requireSendable(ThreadLevel.self)
    }
}
