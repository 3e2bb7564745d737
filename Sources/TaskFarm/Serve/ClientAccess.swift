import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import MPI

/// The TCP side of a served farm on one rank: the client endpoint (on rank 0, the broker,
/// and on the name-server rank), the farm's secret token, shared through the name table,
/// and the connection file that the name-server rank writes and removes at the end.
final class ClientAccess {
    let service: ClientService
    private let connectionFile: String
    private let shownPath: String
    private let logger: Logger
    private var wroteFile = false
    /// The address clients dial: the bound one, or a reachable one for a wildcard bind.
    private let advertisedHost: String

    /// Opens the endpoint on rank 0 and on the name-server rank (`nil` on the others),
    /// listening where `address` chooses on this host and keeping `limits`. A failure to
    /// choose or to bind aborts the world, since a farm no client can reach is of no use.
    static func open(rank: Int, layout: RoleLayout, address: ListenAddress, connectionFile: String,
                     limits: ClientLimits, nameServer: NameServer?, logger: Logger) -> ClientAccess? {
        guard rank == 0 || rank == layout.nameServerRank else { return nil }
        do {
            let choice = try address.choose(interfaces: ListenAddress.Interface.current(), hostName: HostFacts.hostName,
                                            resolve: ListenAddress.Interface.resolve,
                                            singleHost: ListenAddress.allRanksOnOneHost(worldSize: layout.size))
            let endpoint = try ClientEndpoint(host: choice.bind, port: address.port, limits: limits, logger: logger)
            let advertised = ListenAddress.ipv4(endpoint.host) != nil && endpoint.host != "0.0.0.0"
                ? endpoint.host : choice.advertised
            return ClientAccess(service: ClientService(endpoint: endpoint, nameServer: nameServer, logger: logger),
                                connectionFile: connectionFile, advertisedHost: advertised, logger: logger)
        } catch {
            logger.critical("\(error)")
            MPI.abort(errorCode: ExitStatus.usage.rawValue)
        }
    }

    private init(service: ClientService, connectionFile: String, advertisedHost: String, logger: Logger) {
        self.service = service
        self.advertisedHost = advertisedHost
        shownPath = connectionFile
        self.connectionFile = Farm.absolutePath(connectionFile)
        self.logger = logger
    }

    /// On the name-server rank (not rank 0): once rank 0 has published the secret, accept
    /// requests and write the connection file.
    func awaitSecret(through client: NameServerClient) throws {
        try client.request(.lookup, key: ClientService.privatePrefix + "secret") { [self] reply in
            guard let entry = reply.entries.first else { return }
            let fields = String(decoding: entry.value, as: UTF8.self).split(separator: "\t")
            guard fields.count == 2, let runID = Int(fields[0]) else { return }
            service.endpoint.gate.token = String(fields[1])
            writeFile(runID: runID, token: String(fields[1]))
        }
    }

    /// On rank 0: makes the token, registers the broker's address and the secret with the
    /// name server, and writes the connection file when the name server is on rank 0 too.
    ///
    /// - Throws: ``ClientError`` when `/dev/urandom` cannot be read.
    func publish(runID: Int, through client: NameServerClient, nameServerIsHere: Bool) throws {
        let token = try ConnectionFile.makeToken()
        service.endpoint.gate.token = token
        let address = "\(advertisedHost):\(service.endpoint.port)"
        try client.request(.register, key: "broker", value: Array(address.utf8)) { _ in }
        try client.request(.register, key: ClientService.privatePrefix + "secret", value: Array("\(runID)\t\(token)".utf8)) { _ in }
        if nameServerIsHere { writeFile(runID: runID, token: token) }
    }

    private func writeFile(runID: Int, token: String) {
        // A file of this same run was left by this queue's last farm, killed before it could
        // remove it (the state folder's lock says that farm is gone): replacing it changes
        // nothing a client would notice, so there is nothing to warn of.
        if let earlier = try? ConnectionFile(path: connectionFile), earlier.runID != runID {
            let note = "\(shownPath) held the connection of run \(earlier.runID) (another farm serving here, or one "
                + "that ended without removing it); it now names this farm, run \(runID): give each farm its own "
                + "--connection-file"
            logger.warning("\(note)")
        }
        do {
            try ConnectionFile(host: advertisedHost, port: service.endpoint.port, runID: runID, token: token)
                .write(to: connectionFile)
            wroteFile = true
            logger.notice("the farm is served; clients connect with --connect \(shownPath)")
        } catch {
            logger.critical("\(error)")
            MPI.abort(errorCode: error.exitStatus.rawValue)
        }
    }

    /// Closes the endpoint (after answers already sent have gone out) and removes the
    /// connection file this rank wrote, unless another farm has written its own there since.
    func close() {
        service.endpoint.close()
        guard wroteFile, let current = try? ConnectionFile(path: connectionFile), current.token == service.endpoint.gate.token else { return }
        unlink(connectionFile)
    }
}
