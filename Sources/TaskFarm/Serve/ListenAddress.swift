import Glibc

/// Where a served farm's client endpoints listen (`--listen`), and the address the
/// connection file names, chosen on whichever host the listening rank runs.
///
/// `--listen` takes, with an optional `:PORT`:
/// - nothing: this host's name when it resolves to an address other hosts can reach, else
///   the first address of an interface that is up and not loopback;
/// - an interface name (`eth0`, `ib0`): that interface's IPv4 address on this host;
/// - a network in CIDR form (`10.200.0.0/24`): this host's address inside it, as Open MPI's
///   `btl_tcp_if_include` picks one;
/// - `0.0.0.0` (or `::`): every interface, with the connection file naming a reachable one;
/// - a host name or address of this host.
///
/// The connection file never names a wildcard or loopback address unless every rank runs on
/// one host (Debian's `/etc/hosts` maps the host's own name to `127.0.1.1`, which no other
/// host can dial). No match is an error that says what the host has.
struct ListenAddress: Equatable {
    /// What `--listen` asked for.
    enum Request: Equatable {
        case automatic
        case wildcard(String)
        case network(address: UInt32, prefixLength: Int)
        /// An interface name or a host name or address: told apart on the host itself.
        case host(String)
    }

    var request: Request
    /// 0: any free port.
    var port: Int
    /// The `--listen` text, for messages.
    var text: String

    /// One IPv4 address of an interface of this host.
    struct Interface: Equatable {
        var name: String
        /// Dotted quad.
        var address: String
        var isLoopback: Bool
        var isUp: Bool
    }

    /// The address to bind and the one the connection file names.
    struct Choice: Equatable {
        var bind: String
        var advertised: String
    }

    /// Parses `--listen`.
    ///
    /// - Throws: ``ClientError`` for a bad port or a malformed network.
    init(parsing listen: String?) throws(ClientError) {
        text = listen ?? ""
        let (host, port) = try ServeOptions.parseListen(listen, defaultHost: "")
        self.port = port
        if host.isEmpty {
            request = .automatic
        } else if host == "0.0.0.0" || host == "::" {
            request = .wildcard(host)
        } else if let slash = host.firstIndex(of: "/") {
            guard let address = ListenAddress.ipv4(String(host[..<slash])),
                  let length = Int(host[host.index(after: slash)...]), (0...32).contains(length) else {
                throw ClientError("--listen '\(text)': expected a network such as 10.1.0.0/16 (an IPv4 address, '/', 0 to 32)")
            }
            request = .network(address: address, prefixLength: length)
        } else {
            request = .host(host)  // an interface name or a host; told apart on the host itself
        }
    }

    /// Chooses the addresses on this host.
    ///
    /// - Parameters:
    ///   - interfaces: this host's IPv4 interface addresses (``Interface/current()``).
    ///   - hostName: this host's name (`gethostname`).
    ///   - resolve: a name's IPv4 addresses as this host resolves them.
    ///   - singleHost: whether every rank runs on this host, so loopback reaches them all.
    /// - Throws: ``ClientError`` naming the request, the host and its addresses when nothing
    ///   here matches, or when only a loopback address would be named for a multi-host farm.
    func choose(interfaces: [Interface], hostName: String, resolve: (String) -> [String],
                singleHost: Bool) throws(ClientError) -> Choice {
        let usable = interfaces.filter { $0.isUp && !$0.isLoopback }
        let have = usable.isEmpty ? "no interface that is up besides loopback"
            : "its addresses are " + usable.map { "\($0.address) (\($0.name))" }.joined(separator: ", ")
        func reachable() throws(ClientError) -> String {
            if let first = usable.first { return first.address }
            if singleHost { return "127.0.0.1" }
            throw ClientError("--listen \(text.isEmpty ? "(default)" : "'\(text)'"): host \(hostName) has no address "
                              + "other hosts can reach (\(have))")
        }
        switch request {
        case .automatic:
            let own = resolve(hostName)
            if let address = own.first(where: { !ListenAddress.isLoopback($0) }) ?? (singleHost ? own.first : nil) {
                return Choice(bind: address, advertised: address)
            }
            let address = try reachable()
            return Choice(bind: address, advertised: address)
        case .wildcard(let any):
            return Choice(bind: any, advertised: try reachable())
        case .network(let network, let length):
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - UInt32(length))
            guard let match = interfaces.first(where: { interface in
                guard interface.isUp, let address = ListenAddress.ipv4(interface.address) else { return false }
                return address & mask == network & mask
            }) else {
                throw ClientError("--listen '\(text)': host \(hostName) has no address in that network; \(have)")
            }
            return Choice(bind: match.address, advertised: match.address)
        case .host(let name):
            let named = interfaces.filter { $0.name == name && $0.isUp }
            if let interface = named.first {
                guard singleHost || !interface.isLoopback else {
                    throw ClientError("--listen '\(text)': \(name) is a loopback interface, which other hosts cannot reach")
                }
                return Choice(bind: interface.address, advertised: interface.address)
            }
            let addresses = ListenAddress.ipv4(name) != nil ? [name] : resolve(name)
            let local = Set(interfaces.map(\.address))
            guard let address = addresses.first(where: local.contains) else {
                throw ClientError("--listen '\(text)': not an address of host \(hostName), where this rank runs (\(have)); "
                                  + "give an interface name or a network such as 10.1.0.0/16, which each listening rank "
                                  + "matches on its own host")
            }
            guard singleHost || !ListenAddress.isLoopback(address) else {
                throw ClientError("--listen '\(text)': \(address) is a loopback address, which other hosts cannot reach; "
                                  + "\(have)")
            }
            return Choice(bind: address, advertised: address)
        }
    }

    /// A dotted quad as a number, or `nil`.
    static func ipv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let byte = UInt8(part), part.count <= 3 else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    /// Whether every rank of the world runs on this host: one rank, or Open MPI's
    /// `OMPI_COMM_WORLD_LOCAL_SIZE` (ranks on this node) equal to the world's size.
    static func allRanksOnOneHost(worldSize: Int) -> Bool {
        if worldSize <= 1 { return true }
        guard let local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE").map({ String(cString: $0) }) else { return false }
        return Int(local) == worldSize
    }

    static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1"
    }
}

extension ListenAddress.Interface {
    /// This host's IPv4 interface addresses (`getifaddrs(3)`).
    static func current() -> [ListenAddress.Interface] {
        var first: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&first) == 0 else { return [] }
        defer { freeifaddrs(first) }
        var result: [ListenAddress.Interface] = []
        var cursor = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let socketAddress = entry.pointee.ifa_addr, socketAddress.pointee.sa_family == sa_family_t(AF_INET) else {
                continue
            }
            let flags = Int32(bitPattern: entry.pointee.ifa_flags)
            result.append(ListenAddress.Interface(
                name: String(cString: entry.pointee.ifa_name),
                address: dottedQuad(socketAddress),
                isLoopback: flags & Int32(IFF_LOOPBACK) != 0,
                isUp: flags & Int32(IFF_UP) != 0))
        }
        return result
    }

    /// A name's IPv4 addresses as this host resolves them (`getaddrinfo(3)`, so
    /// `/etc/hosts` first on most systems), in the resolver's order.
    static func resolve(_ name: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var result: [String] = []
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ai_next }
            guard let socketAddress = entry.pointee.ai_addr else { continue }
            let address = dottedQuad(socketAddress)
            if !result.contains(address) { result.append(address) }
        }
        return result
    }

    /// An IPv4 socket address's address as a dotted quad (`inet_ntop(3)`).
    private static func dottedQuad(_ socketAddress: UnsafeMutablePointer<sockaddr>) -> String {
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
            var raw = address.pointee.sin_addr
            _ = inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
