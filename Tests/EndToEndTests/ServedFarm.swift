import Foundation
import TestSupport
import XCTest

/// A farm served with `taskfarm serve` under a real mpirun in `folder`, on 3 ranks (broker,
/// name server, one worker), for tests that drive it from client processes.
final class ServedFarm {
    let folder: URL
    let process: ChildProcess
    let stderrFile: URL

    /// Starts the farm on `ranks` ranks and waits (up to 60 s) for its connection file.
    init(in folder: URL, ranks: Int = 3, extra: [String] = []) throws {
        self.folder = folder
        let stderrName = "serve-\(UUID().uuidString.prefix(6)).err"
        stderrFile = folder.appendingPathComponent(stderrName)
        try? FileManager.default.removeItem(at: folder.appendingPathComponent("taskfarm.connection"))
        process = try Harness.start(["serve", "--listen", "127.0.0.1", "--log-level", "notice"] + extra,
                                    ranks: ranks, in: folder, stderr: stderrName)
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("taskfarm.connection").path),
              process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// `taskfarm ARGS` as a client, in the farm's folder.
    @discardableResult
    func client(_ arguments: [String], timeout: Double = 60) throws -> Harness.Outcome {
        try Harness.run(Harness.taskfarm, arguments, in: folder, timeout: timeout)
    }

    /// What the farm's ranks logged so far.
    var log: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// Waits for mpirun to end; stops it if it does not in `timeout` seconds.
    func waitForExit(timeout: Double = 30) -> Int32? {
        guard process.wait(timeout: timeout) != nil else {
            process.stopGroup()
            return nil
        }
        return process.status
    }

    private var connectionFields: [String: Any] {
        let data = FileManager.default.contents(atPath: folder.appendingPathComponent("taskfarm.connection").path) ?? Data()
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// The name server's port, from the connection file.
    var port: Int { connectionFields["port"] as? Int ?? 0 }

    /// The farm's token, from the connection file.
    var token: String { connectionFields["token"] as? String ?? "" }

    /// The broker's port, from the name server.
    func brokerPort() throws -> Int {
        let broker = try client(["name", "lookup", "broker"]).stdout
        return try XCTUnwrap(Int(broker.split(separator: ":").last?.trimmingCharacters(in: .newlines) ?? ""), broker)
    }
}

/// A raw TCP connection to 127.0.0.1, for replaying attacks on a farm's endpoints byte by byte.
final class RawConnection {
    let descriptor: Int32

    /// Connects to 127.0.0.1:`port`; `nil` when the connection is refused.
    init?(port: Int) {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            return nil
        }
    }

    deinit { close(descriptor) }

    /// Writes `bytes`; whether they all went out.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Writes `json` as one frame (a 4-byte big-endian length, then the bytes).
    @discardableResult
    func writeFrame(_ json: String) -> Bool {
        let body = Array(json.utf8)
        let length = UInt32(body.count)
        return write([UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + body)
    }

    /// Reads up to `count` bytes, waiting up to `timeout` seconds; `nil` when the farm closed
    /// the connection (or reset it) first, `[]` when nothing came in time.
    func read(upTo count: Int, timeout: Double) -> [UInt8]? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, count, 0) }
        return got > 0 ? Array(bytes[..<got]) : nil
    }

    /// Reads one frame and parses its JSON object, waiting up to `timeout` seconds.
    func readFrame(timeout: Double) -> [String: Any]? {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if bytes.count >= 4 {
                let length = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
                if bytes.count >= 4 + length {
                    return (try? JSONSerialization.jsonObject(with: Data(bytes[4..<(4 + length)]))) as? [String: Any]
                }
            }
            guard let more = read(upTo: 65536, timeout: max(0.01, deadline.timeIntervalSinceNow)), !more.isEmpty else { return nil }
            bytes += more
        }
        return nil
    }

    /// Whether the farm closes the connection within `timeout` seconds (anything it sends
    /// first is read and dropped).
    func isClosedByFarm(within timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard let got = read(upTo: 65536, timeout: max(0.01, deadline.timeIntervalSinceNow)) else { return true }
            if got.isEmpty { return false }
        }
        return false
    }
}
