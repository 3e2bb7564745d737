import XCTest

@testable import TaskFarm

final class RoleLayoutTests: XCTestCase {
    func testDefaultLayoutForOneToNineRanks() throws {
        for size in 1...9 {
            let layout = try RoleLayout(size: size)
            XCTAssertEqual(layout.size, size)
            switch size {
            case 1:
                XCTAssertEqual(layout.nameServerRank, 0)
                XCTAssertEqual(layout.workerRanks, [0], "one rank runs the tasks itself")
            case 2:
                XCTAssertEqual(layout.nameServerRank, 0)
                XCTAssertEqual(layout.workerRanks, [1])
            default:
                XCTAssertEqual(layout.nameServerRank, 1)
                XCTAssertEqual(layout.workerRanks, Array(2..<size))
            }
            XCTAssertEqual(layout.isWorker(0), size == 1)
            for rank in 0..<size { XCTAssertEqual(layout.isWorker(rank), layout.workerRanks.contains(rank)) }
        }
    }

    func testRequestedNameServerRank() throws {
        let last = try RoleLayout(size: 5, requestedNameServerRank: 4)
        XCTAssertEqual(last.nameServerRank, 4)
        XCTAssertEqual(last.workerRanks, [1, 2, 3])
        let colocated = try RoleLayout(size: 5, requestedNameServerRank: 0)
        XCTAssertEqual(colocated.nameServerRank, 0)
        XCTAssertEqual(colocated.workerRanks, [1, 2, 3, 4])
        XCTAssertEqual(try RoleLayout(size: 2, requestedNameServerRank: 0).workerRanks, [1])
        XCTAssertEqual(try RoleLayout(size: 1, requestedNameServerRank: 0).workerRanks, [0])
        XCTAssertEqual(try RoleLayout(size: 3, requestedNameServerRank: 2).workerRanks, [1])
    }

    func testBadNameServerRanksAreRefused() {
        for (size, requested) in [(3, 3), (3, -1), (1, 1), (9, 9)] {
            XCTAssertThrowsError(try RoleLayout(size: size, requestedNameServerRank: requested)) { error in
                XCTAssertTrue("\(error)".contains("out of range"), "\(error)")
                XCTAssertTrue("\(error)".contains("\(requested)"))
            }
        }
        XCTAssertThrowsError(try RoleLayout(size: 2, requestedNameServerRank: 1)) { error in
            XCTAssertTrue("\(error)".contains("no worker"), "\(error)")
        }
    }
}
