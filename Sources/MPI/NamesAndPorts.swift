import CMPI
import CMPIShims

/// Ports and the name service: how separately started MPI programs find and connect to
/// each other (MPI 3.1 §10.4).
///
/// Open MPI 4.1.4 notes:
/// - Within one `mpirun` job, ``publishName(_:port:)`` and ``lookupName(_:)`` work out of
///   the box: `mpirun` itself stores the names.
/// - Across jobs (two `mpirun`s), start `ompi-server --report-uri <file>` and pass
///   `--ompi-server file:<file>` to every `mpirun`; without it a lookup from another job
///   fails with `MPI_ERR_NAME`.
extension MPI {
    /// Opens a port that other processes can ``Communicator/connect(port:root:)`` to.
    ///
    /// - Returns: the port name, an opaque string of at most `MPI_MAX_PORT_NAME` characters.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §10.4.2, `MPI_Open_port`.
    public static func openPort() throws(MPIError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(cmpi_max_port_name()) + 1)
        try check(MPI_Open_port(cmpi_info_null(), &buffer), "MPI_Open_port")
        return cString(buffer)
    }

    /// Closes a port opened by ``openPort()``.
    ///
    /// - Throws: ``MPIError`` (`MPI_ERR_PORT`). Source: MPI 3.1 §10.4.2, `MPI_Close_port`.
    public static func closePort(_ port: String) throws(MPIError) {
        try check(MPI_Close_port(port), "MPI_Close_port", context: "port \"\(port)\"")
    }

    /// Publishes `port` under the service name `service` (see the Open MPI notes above).
    ///
    /// - Throws: ``MPIError`` (`MPI_ERR_NAME` or `MPI_ERR_SERVICE` if the name is taken).
    /// Source: MPI 3.1 §10.4.4, `MPI_Publish_name`.
    public static func publishName(_ service: String, port: String) throws(MPIError) {
        try check(MPI_Publish_name(service, cmpi_info_null(), port), "MPI_Publish_name",
                  context: "service \"\(service)\", port \"\(port)\"")
    }

    /// Withdraws a name published by this process.
    ///
    /// - Throws: ``MPIError`` (`MPI_ERR_SERVICE` if it was not published).
    /// Source: MPI 3.1 §10.4.4, `MPI_Unpublish_name`.
    public static func unpublishName(_ service: String, port: String) throws(MPIError) {
        try check(MPI_Unpublish_name(service, cmpi_info_null(), port), "MPI_Unpublish_name",
                  context: "service \"\(service)\", port \"\(port)\"")
    }

    /// Looks up the port published under `service`.
    ///
    /// - Returns: the port name.
    /// - Throws: ``MPIError`` of class `MPI_ERR_NAME` if nothing is published under that
    ///   name (or, across jobs, if no `ompi-server` is in use).
    /// Source: MPI 3.1 §10.4.4, `MPI_Lookup_name`.
    public static func lookupName(_ service: String) throws(MPIError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(cmpi_max_port_name()) + 1)
        try check(MPI_Lookup_name(service, cmpi_info_null(), &buffer), "MPI_Lookup_name",
                  context: "service \"\(service)\" (across jobs Open MPI needs ompi-server)")
        return cString(buffer)
    }

    static func cString(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Communicator {
    /// Waits for a client to ``connect(port:root:)`` to `port`. Collective over this
    /// communicator; `port` is significant only at `root`.
    ///
    /// - Returns: an intercommunicator to the client group; release it with
    ///   ``DerivedCommunicator/disconnect()``.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §10.4.3, `MPI_Comm_accept`.
    public func accept(port: String, root: Int = 0) throws(MPIError) -> DerivedCommunicator {
        var result: MPI_Comm? = cmpi_comm_null()
        try check(MPI_Comm_accept(port, cmpi_info_null(), Int32(root), handle, &result), "MPI_Comm_accept",
                  context: "port \"\(port)\", root \(root)")
        return DerivedCommunicator(adopting: result!, origin: "accept")
    }

    /// Connects to a server waiting in ``accept(port:root:)``. Collective over this
    /// communicator; `port` is significant only at `root`.
    ///
    /// - Returns: an intercommunicator to the server group; release it with
    ///   ``DerivedCommunicator/disconnect()``.
    /// - Throws: ``MPIError`` (`MPI_ERR_PORT` for an unknown port).
    /// Source: MPI 3.1 §10.4.3, `MPI_Comm_connect`.
    public func connect(port: String, root: Int = 0) throws(MPIError) -> DerivedCommunicator {
        var result: MPI_Comm? = cmpi_comm_null()
        try check(MPI_Comm_connect(port, cmpi_info_null(), Int32(root), handle, &result), "MPI_Comm_connect",
                  context: "port \"\(port)\", root \(root)")
        return DerivedCommunicator(adopting: result!, origin: "connect")
    }
}
