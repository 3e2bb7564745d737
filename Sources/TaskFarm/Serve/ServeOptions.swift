/// Everything `taskfarm serve` takes from its command line.
public struct ServeOptions: Sendable {
    /// The farm's options; its `jobPath` is unused and `stateDirectory` defaults to
    /// ``defaultStateDirectory``.
    public var farm: FarmOptions
    /// Where the name-server rank writes the ``ConnectionFile``.
    public var connectionFile: String
    /// `--listen HOST[:PORT]`: where the client endpoints listen; `nil` for this host's
    /// name as resolved, on a free port. Never every interface unless given `0.0.0.0`.
    public var listen: String?

    /// The state folder when `--state-dir` is not given, in the working folder.
    public static let defaultStateDirectory = "queue.taskfarm"

    /// `serve`'s options; see the properties.
    public init(farm: FarmOptions, connectionFile: String = ConnectionFile.defaultPath, listen: String? = nil) {
        self.farm = farm
        self.connectionFile = connectionFile
        self.listen = listen
    }

    /// `listen` split into a host and a port (0: any free port).
    ///
    /// - Throws: ``ClientError`` when the port is not a number from 0 to 65535.
    public func listenAddress(defaultHost: String) throws(ClientError) -> (host: String, port: Int) {
        try Self.parseListen(listen, defaultHost: defaultHost)
    }

    /// `listen` (`HOST`, `HOST:PORT`, `[IPv6]:PORT`) as a host and a port (0: any free port).
    ///
    /// - Throws: ``ClientError`` when the port is not a number from 0 to 65535.
    public static func parseListen(_ listen: String?, defaultHost: String) throws(ClientError) -> (host: String, port: Int) {
        guard let listen, !listen.isEmpty else { return (defaultHost, 0) }
        var host = listen
        var portText: Substring?
        if listen.hasPrefix("["), let close = listen.firstIndex(of: "]") {  // [IPv6]:PORT
            host = String(listen[listen.index(after: listen.startIndex)..<close])
            let rest = listen[listen.index(after: close)...]
            if rest.hasPrefix(":") { portText = rest.dropFirst() }
        } else if listen.filter({ $0 == ":" }).count == 1, let colon = listen.firstIndex(of: ":") {
            host = String(listen[..<colon])
            portText = listen[listen.index(after: colon)...]
        }
        guard let portText else { return (host, 0) }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ClientError("--listen '\(listen)': expected HOST or HOST:PORT with a port from 0 to 65535")
        }
        return (host.isEmpty ? defaultHost : host, port)
    }
}
