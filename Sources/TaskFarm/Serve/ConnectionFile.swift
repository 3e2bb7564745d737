import Foundation
import Glibc

/// What a client needs to reach a served farm: the name server's TCP address, the run id
/// and the secret token every request must carry. The name-server rank writes it at start
/// (default `./taskfarm.connection`), atomically and readable by its owner only, as a
/// Jupyter kernel's connection file is; clients on any node sharing the file system read it.
public struct ConnectionFile: Codable, Sendable, Equatable {
    /// The default path, in the working folder.
    public static let defaultPath = "taskfarm.connection"

    /// The file format's version.
    public var version: Int
    /// The name server's address and TCP port.
    public var host: String
    /// The name server's TCP port.
    public var port: Int
    /// The farm's run id.
    public var runID: Int
    /// 64 hex digits from `/dev/urandom`.
    public var token: String

    /// A connection file of the current format version.
    public init(host: String, port: Int, runID: Int, token: String) {
        version = 1
        self.host = host
        self.port = port
        self.runID = runID
        self.token = token
    }

    /// Reads the file at `path`.
    ///
    /// - Throws: ``ClientError`` naming the file when it is missing or not a connection file.
    public init(path: String) throws(ClientError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClientError("\(path): cannot read the connection file; is the farm (taskfarm serve) running, and from this folder?")
        }
        do {
            self = try JSONDecoder().decode(ConnectionFile.self, from: data)
        } catch {
            throw ClientError("\(path): not a taskfarm connection file (expected JSON with host, port, runID and token)")
        }
    }

    /// Writes the file through a temporary file created with mode 0600 and a rename, so a
    /// reader never sees half of it and no other user can read the token.
    ///
    /// - Throws: ``ClientError`` naming the file when it cannot be written.
    public func write(to path: String) throws(ClientError) {
        let temporary = path + ".tmp.\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ClientError("\(path): cannot write the connection file: \(String(cString: strerror(errno)))") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes = [UInt8]((try? encoder.encode(self)) ?? Data()) + [0x0A]
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        fchmod(descriptor, 0o600)
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw ClientError("\(path): cannot write the connection file: \(String(cString: strerror(errno)))")
        }
    }

    /// A new secret: 32 bytes from `/dev/urandom`, as 64 hex digits.
    ///
    /// - Throws: ``ClientError`` when `/dev/urandom` cannot be read.
    public static func makeToken() throws(ClientError) -> String {
        guard let handle = FileHandle(forReadingAtPath: "/dev/urandom"),
              let data = try? handle.read(upToCount: 32), data.count == 32 else {
            throw ClientError("cannot read /dev/urandom for the connection token")
        }
        return data.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `given` is the farm's token, compared in constant time.
    static func tokensMatch(expected: String, given: String) -> Bool {
        let expected = Array(expected.utf8)
        let given = Array(given.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0
    }
}
