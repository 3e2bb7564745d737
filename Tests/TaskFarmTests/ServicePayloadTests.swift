import MPI
@testable import TaskFarm
import XCTest

/// The services' message plumbing of issue 18: payloads read in place from their message,
/// the broker's pending calls by id, and a map's outputs placed in input order.
final class ServicePayloadTests: XCTestCase {
    func testAPayloadIsReadWhereItLiesInItsMessage() throws {
        let inputs = Array(-50...50)
        let call = ServiceCallMessage(id: 3, service: "noop", batch: true, format: .binary,
                                      payload: PayloadBytes(try BinaryEncoder().encode(inputs)))
        let message = call.encode()
        let decoded = try ServiceCallMessage(decoding: message)
        XCTAssertEqual(decoded, call)
        XCTAssertEqual(decoded.payload.base, message, "the payload shares the message's bytes, not a copy")
        XCTAssertGreaterThan(decoded.payload.range.lowerBound, 0, "after the message's header")
        XCTAssertEqual(decoded.payload.range.upperBound, message.count)
        XCTAssertEqual(try PayloadCoding.decode([Int].self, from: decoded.payload, format: .binary), inputs)
        // Written again (the broker relays a call with its own id): the same payload bytes.
        var relayed = decoded
        relayed.id = 900
        XCTAssertEqual(try ServiceCallMessage(decoding: relayed.encode()).payload.bytes, try BinaryEncoder().encode(inputs))
    }

    func testDecodingARangeReadsOnlyThatRange() throws {
        let value = try BinaryEncoder().encode([1.5, 2.5])
        let framed = [0xAA, 0xBB] + value + [0xCC]
        XCTAssertEqual(try BinaryDecoder().decode([Double].self, from: framed, in: 2..<2 + value.count), [1.5, 2.5])
        XCTAssertThrowsError(try BinaryDecoder().decode([Double].self, from: framed, in: 2..<framed.count), "a trailing byte")
        XCTAssertThrowsError(try BinaryDecoder().decode([Double].self, from: framed, in: 2..<framed.count - 2), "cut short")
        let json = PayloadBytes(base: Array("xx[1,2]".utf8), range: 2..<7)
        XCTAssertEqual(try PayloadCoding.decode([Int].self, from: json, format: .json), [1, 2])
    }

    func testCallSlotsKeepIDsInOrderAndForgetAnsweredOnesInAnyOrder() {
        var slots = CallSlots<String>()
        let ids = (0..<200).map { slots.insert("call \($0)") }
        XCTAssertEqual(ids, Array(1...200), "ids are handed out in order")
        XCTAssertEqual(slots.remove(150), "call 149")
        XCTAssertNil(slots.remove(150), "answered twice: the second finds nothing")
        XCTAssertNil(slots[150])
        for id in 1...100 { XCTAssertEqual(slots.remove(id), "call \(id - 1)") }  // drops the front
        XCTAssertEqual(slots.count, 99)
        XCTAssertEqual(slots[101], "call 100")
        XCTAssertNil(slots[1], "a removed id stays removed after the front moves")
        slots[101] = "updated"
        XCTAssertEqual(slots[101], "updated")
        XCTAssertEqual(slots.insert("late"), 201, "new ids go on from the last, whatever was removed")
        XCTAssertEqual(slots.ids, Array(101...149) + Array(151...201))
        for id in slots.ids.reversed() { XCTAssertNotNil(slots.remove(id)) }
        XCTAssertTrue(slots.isEmpty)
        XCTAssertEqual(slots.insert("after empty"), 202)
        XCTAssertNil(slots[0])
        XCTAssertNil(slots[10_000])
    }

    func testOutputsPlacedInAnyOrderComeOutInInputOrder() throws {
        let chunks = try ServiceClient.chunks(10, size: 3, service: "s")  // 0..<3, 3..<6, 6..<9, 9..<10
        let outputs = OrderedOutputs<String>(count: 10, chunks: chunks.count)
        for chunk in [3, 1, 0, 2] {
            outputs.place(chunks[chunk].map { "output \($0)" }, chunk: chunk, at: chunks[chunk].lowerBound)
        }
        XCTAssertEqual(outputs.take(), (0..<10).map { "output \($0)" })
        // A map that fails part way releases what was placed, and only that.
        final class Token {}
        weak var placedToken: Token?
        do {
            let token = Token()
            placedToken = token
            let failed = OrderedOutputs<Token>(count: 4, chunks: 2)
            failed.place([token, token], chunk: 1, at: 2)
        }
        XCTAssertNil(placedToken, "the failed map's outputs are released with it")
        XCTAssertEqual(OrderedOutputs<Int>(count: 0, chunks: 0).take(), [])
    }

    /// Python's `Executor.map` raises the first failing item in input order: the map waits
    /// for the chunks before a failure, and a failure before it wins.
    func testAMapFailsWithTheFirstFailingChunkInInputOrderWhateverAnsweredFirst() {
        func failure(_ chunk: Int) -> ServiceError { ServiceError(.serviceThrew, service: "s", message: "chunk \(chunk)") }
        var verdict = MapVerdict(chunks: 5)
        XCTAssertNil(verdict.record(chunk: 4, failure: failure(4)), "chunks 0 to 3 may still fail")
        XCTAssertNil(verdict.record(chunk: 0, failure: nil))
        XCTAssertNil(verdict.record(chunk: 2, failure: failure(2)), "chunk 1 may still fail")
        XCTAssertNil(verdict.record(chunk: 2, failure: nil), "a second answer of a chunk changes nothing")
        XCTAssertNil(verdict.record(chunk: 9, failure: failure(9)), "a chunk outside the map changes nothing")
        XCTAssertEqual(verdict.record(chunk: 1, failure: nil), .failed(failure(2)), "chunk 3 cannot come before chunk 2")

        var earlier = MapVerdict(chunks: 3)
        XCTAssertNil(earlier.record(chunk: 2, failure: failure(2)))
        XCTAssertEqual(earlier.record(chunk: 0, failure: failure(0)), .failed(failure(0)), "nothing comes before chunk 0")

        var clean = MapVerdict(chunks: 3)
        XCTAssertNil(clean.record(chunk: 2, failure: nil))
        XCTAssertNil(clean.record(chunk: 0, failure: nil))
        XCTAssertEqual(clean.record(chunk: 1, failure: nil), .succeeded)
    }

    /// The worker names the failing input's place in its chunk; the caller makes it an
    /// index of the whole map, and it crosses the wire.
    func testAFailingInputOfAChunkIsNamedByItsIndexInTheMap() throws {
        @Sendable func handler(_ n: Int) throws -> Int {
            guard n % 4 != 3 else { throw ServiceError(.serviceThrew, service: "inner", message: "no \(n)", inputIndex: 77) }
            return n
        }
        XCTAssertEqual(try ServiceRegistry.eachInput([1, 2], handler), [1, 2])
        XCTAssertThrowsError(try ServiceRegistry.eachInput([0, 1, 7, 3], handler)) { error in
            XCTAssertEqual((error as? ServiceRegistry.FailedInput)?.offset, 2, "the first failing input, where the chunk stops")
        }
        let registry = ServiceRegistry()
        registry.register("quarter") { (n: Int) throws -> Int in try handler(n) }
        let chunk = PayloadBytes(try BinaryEncoder().encode([4, 5, 6, 7, 11]))
        guard case .failure(let failed) = registry.services["quarter"]!.immediate!(chunk, .binary, true) else {
            return XCTFail("a chunk with a failing input succeeded")
        }
        XCTAssertEqual(failed.inputIndex, 3, "its place in the chunk, not the index the handler's own error carried")
        let single = PayloadBytes(try BinaryEncoder().encode(7))
        guard case .failure(let alone) = registry.services["quarter"]!.immediate!(single, .binary, false) else {
            return XCTFail("a failing single call succeeded")
        }
        XCTAssertNil(alone.inputIndex, "a single call has no input index")

        let reply = ServiceReplyMessage(id: 4, result: .failure(failed))
        let crossed = try ServiceReplyMessage(decoding: reply.encode())
        XCTAssertEqual(crossed, reply)
        guard case .failure(let received) = crossed.result else { return XCTFail("the failure did not cross") }
        let named = ServiceClient.naming(20..<25, in: received)
        XCTAssertEqual(named.inputIndex, 23)
        XCTAssertEqual(named.message, "input 23: no 7")
        let whole = ServiceClient.naming(20..<25, in: ServiceError(.badOutput, service: "quarter", message: "cut short"))
        XCTAssertNil(whole.inputIndex)
        XCTAssertEqual(whole.message, "inputs 20..<25: cut short")
        let outside = ServiceClient.naming(20..<25, in: ServiceError(.serviceThrew, service: "q", message: "m", inputIndex: 5))
        XCTAssertNil(outside.inputIndex, "a place outside the chunk is not trusted")
    }
}
