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

    func testOutputsPlacedInAnyOrderComeOutInInputOrder() {
        let chunks = ServiceClient.chunks(10, size: 3)  // 0..<3, 3..<6, 6..<9, 9..<10
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
}
