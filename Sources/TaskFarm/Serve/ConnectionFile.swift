import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// What a client needs to reach a served farm: the name server's TCP address, the run id
/// and the secret token every connection must present. The name-server rank writes it at
/// start (default `./taskfarm.connection`), atomically and readable by its owner only, as a
/// Jupyter kernel's connection file is; clients on any node sharing the file system read it.
///
/// The token lets its holder run commands as the farm's owner, so both sides distrust the
/// folder: the farm never writes through a name another user could have made (see
/// ``write(to:)``), and a client refuses a file that is not its own or that others can read
/// or change (see ``init(path:)``), as ssh refuses a private key with open permissions.
public struct ConnectionFile: Codable, Sendable, Equatable {
    /// The default path, in the working folder.
    public static let defaultPath = "taskfarm.connection"

    /// The file a client uses when none is given: `TASKFARM_CONNECTION` when set and not
    /// empty, else ``defaultPath``. The same for `taskfarm` client commands, the front ends
    /// (`sbatch`, `qsub`, ...) and DRMAA, so that they all reach the same farm.
    public static var clientDefaultPath: String {
        ProcessInfo.processInfo.environment["TASKFARM_CONNECTION"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultPath
    }
    /// The largest connection file read, in bytes; a real one is about 200.
    static let maximumFileBytes = 64 << 10

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

    /// Reads the file at `path` (a symbolic link to it is followed), after checking that it
    /// is a regular file owned by this process's user, and that neither its group nor others
    /// may read or write it: a file another user made or can read would hand them the token,
    /// or send ours to their address.
    ///
    /// - Throws: ``ClientError`` naming the file: ``ClientError/Kind-swift.enum/unavailable``
    ///   when it is missing or unreadable (no farm serving there),
    ///   ``ClientError/Kind-swift.enum/notPermitted`` when its owner or mode is wrong, and
    ///   ``ClientError/Kind-swift.enum/invalid`` when it is not a connection file.
    public init(path: String) throws(ClientError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            let reason = Errno(rawValue: errno).description
            throw ClientError("\(path): cannot read the connection file (\(reason)); is the farm (taskfarm serve) running, and from this folder?",
                              kind: .unavailable)
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw ClientError("\(path): not a regular file; expected the farm's connection file", kind: .invalid)
        }
        if let problem = Self.ownershipProblem(info) {
            throw ClientError("\(path): \(problem); refusing to use its token", kind: .notPermitted)
        }
        var bytes = [UInt8](repeating: 0, count: Self.maximumFileBytes + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { break }
            count += got
        }
        do {
            guard count <= Self.maximumFileBytes else { throw ClientError("too long") }
            self = try JSONDecoder().decode(ConnectionFile.self, from: Data(bytes[..<count]))
        } catch {
            throw ClientError("\(path): not a taskfarm connection file (expected JSON with host, port, runID and token)",
                              kind: .invalid)
        }
    }

    /// Why a connection file with the status `info` must not be trusted, or `nil`: it is
    /// owned by another user than this process's, or its group or others may read or write it.
    static func ownershipProblem(_ info: stat) -> String? {
        let user = geteuid()
        if info.st_uid != user {
            return "it is owned by uid \(info.st_uid), not by you (uid \(user)); another user may have made or replaced it"
        }
        let mode = info.st_mode & 0o777
        if mode & 0o077 != 0 {
            return "its permissions \(String(mode, radix: 8)) let others read or change it (chmod 600 it, or serve again)"
        }
        return nil
    }

    /// Writes the file so that a reader never sees half of it and no other user can read or
    /// redirect it:
    /// - a temporary file with a random name beside `path` is created with
    ///   `O_CREAT|O_EXCL|O_NOFOLLOW` and mode 0600 (a name that exists, or is a symbolic
    ///   link, is never opened: another name is drawn), written, and flushed with `fsync`;
    /// - it is renamed over `path`, and the folder is flushed;
    /// - the file now at `path` must be the one written, owned by this user, with mode 0600,
    ///   or the write is refused.
    ///
    /// - Throws: ``ClientError`` naming the file when it cannot be written or was replaced.
    public func write(to path: String) throws(ClientError) {
        try write(to: path) {
            var random = SystemRandomNumberGenerator()
            return path + ".tmp." + String(random.next() as UInt64, radix: 36)
        }
    }

    /// ``write(to:)`` with the temporary names drawn by `drawName` (tests draw an attacker's).
    func write(to path: String, drawName: () -> String) throws(ClientError) {
        func failure(_ what: String) -> ClientError {
            ClientError("\(path): cannot write the connection file: \(what)", kind: .cannotCreate)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let encoded = try? encoder.encode(self) else { throw failure("cannot encode it") }
        let bytes = [UInt8](encoded) + [0x0A]

        var temporary = ""
        var descriptor: Int32 = -1
        for _ in 0..<16 {
            temporary = drawName()
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if descriptor >= 0 || errno != EEXIST { break }
        }
        guard descriptor >= 0 else { throw failure(Errno(rawValue: errno).description) }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let reason = Errno(rawValue: errno).description
                unlink(temporary)
                throw failure(reason)
            }
            written += count
        }
        var ours = stat()
        guard fchmod(descriptor, 0o600) == 0, fsync(descriptor) == 0, fstat(descriptor, &ours) == 0 else {
            let reason = Errno(rawValue: errno).description
            unlink(temporary)
            throw failure(reason)
        }
        if let problem = Self.ownershipProblem(ours) {
            unlink(temporary)
            throw failure("the new file \(temporary): \(problem)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = Errno(rawValue: errno).description
            unlink(temporary)
            throw failure(reason)
        }
        Self.syncFolder(of: path)
        var now = stat()
        guard lstat(path, &now) == 0, now.st_dev == ours.st_dev, now.st_ino == ours.st_ino else {
            throw failure("another file replaced it as soon as it was written; does another user write in this folder?")
        }
    }

    /// Flushes the folder holding `path`, so the rename survives a crash.
    private static func syncFolder(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
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

    /// Whether `given` is the farm's token, compared in constant time (for tokens of the
    /// right length, which every real one has).
    static func tokensMatch(expected: String, given: String) -> Bool {
        let expected = Array(expected.utf8)
        let given = Array(given.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0
    }
}
