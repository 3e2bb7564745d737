import XCTest

@testable import TaskFarm

/// `--listen` chooses on the listener's own host, like Open MPI's `btl_tcp_if_include`,
/// and never names an address other hosts cannot reach when the farm spans hosts.
final class ListenAddressTests: XCTestCase {
    private let interfaces = [
        ListenAddress.Interface(name: "lo", address: "127.0.0.1", isLoopback: true, isUp: true),
        ListenAddress.Interface(name: "eth0", address: "10.200.0.3", isLoopback: false, isUp: true),
        ListenAddress.Interface(name: "ib0", address: "192.168.7.3", isLoopback: false, isUp: true),
    ]
    /// Debian's /etc/hosts: the host's own name is 127.0.1.1.
    private func debian(_ name: String) -> [String] { name == "node2" ? ["127.0.1.1"] : [] }

    private func choose(_ listen: String?, singleHost: Bool = false) throws -> ListenAddress.Choice {
        try ListenAddress(parsing: listen).choose(interfaces: interfaces, hostName: "node2", resolve: debian,
                                                  singleHost: singleHost)
    }

    func testTheDefaultNeverNamesDebiansLoopbackLineOnAMultiHostFarm() throws {
        XCTAssertEqual(try choose(nil), .init(bind: "10.200.0.3", advertised: "10.200.0.3"))
        XCTAssertEqual(try choose(nil, singleHost: true), .init(bind: "127.0.1.1", advertised: "127.0.1.1"),
                       "on one host the resolved name is reachable by every rank")
    }

    func testAWildcardBindsEverywhereAndNamesAReachableAddress() throws {
        XCTAssertEqual(try choose("0.0.0.0:7000"), .init(bind: "0.0.0.0", advertised: "10.200.0.3"))
        XCTAssertEqual(try ListenAddress(parsing: "0.0.0.0:7000").port, 7000)
    }

    func testAnInterfaceOrANetworkPicksThisHostsAddressInIt() throws {
        XCTAssertEqual(try choose("ib0").bind, "192.168.7.3")
        XCTAssertEqual(try choose("10.200.0.0/24").bind, "10.200.0.3")
        XCTAssertEqual(try choose("192.168.0.0/16:5000").bind, "192.168.7.3")
        XCTAssertEqual(try ListenAddress(parsing: "192.168.0.0/16:5000").port, 5000)
        XCTAssertEqual(try choose("10.200.0.3").bind, "10.200.0.3")
    }

    func testNoMatchIsAClearError() {
        XCTAssertThrowsError(try choose("10.9.0.0/16")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("host node2 has no address in that network"), text)
            XCTAssertTrue(text.contains("10.200.0.3 (eth0)"), text)
        }
        XCTAssertThrowsError(try choose("10.200.0.2")) { error in
            XCTAssertTrue("\(error)".contains("not an address of host node2"), "\(error)")
        }
        XCTAssertThrowsError(try choose("lo")) { error in
            XCTAssertTrue("\(error)".contains("loopback"), "\(error)")
        }
        XCTAssertThrowsError(try choose("127.0.0.1")) { error in
            XCTAssertTrue("\(error)".contains("loopback"), "\(error)")
        }
        XCTAssertNoThrow(try choose("127.0.0.1", singleHost: true))
        XCTAssertThrowsError(try ListenAddress(parsing: "10.0.0.0/40"))
        XCTAssertThrowsError(try ListenAddress(parsing: "10.0.0/8"))
    }

    func testAHostWithOnlyLoopbackCannotServeOtherHosts() {
        let lonely = [interfaces[0]]
        XCTAssertThrowsError(try ListenAddress(parsing: nil).choose(interfaces: lonely, hostName: "node2",
                                                                    resolve: debian, singleHost: false))
    }
}
