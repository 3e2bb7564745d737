import CMPI
import CMPIShims

extension Request {
    /// Runs a multiple-completion call over the requests' handles and writes them back.
    private static func withHandles<R>(_ requests: [Request], _ body: (inout [MPI_Request?]) -> R) -> R {
        var handles = requests.map(\.handle)
        let result = body(&handles)
        for (request, handle) in zip(requests, handles) { request.handle = handle }
        return result
    }

    /// The first per-request error of a call that failed with `MPI_ERR_IN_STATUS`.
    private static func statusError(_ code: Int32, _ statuses: [MPI_Status], _ routine: String) -> MPIError {
        if MPIError.Class(rawValue: code) == .inStatus || code == Int32(MPI_ERR_IN_STATUS),
           let index = statuses.firstIndex(where: { $0.MPI_ERROR != MPI_SUCCESS && $0.MPI_ERROR != Int32(MPI_ERR_PENDING) }) {
            return MPIError(code: statuses[index].MPI_ERROR, routine: routine, context: "request at index \(index)")
        }
        return MPIError(code: code, routine: routine)
    }

    /// Blocks until every request completes.
    ///
    /// - Returns: one ``Status`` per request, in order (empty statuses for requests that
    ///   were already complete).
    /// - Throws: ``MPIError`` naming the index of the first failed request.
    /// Source: MPI 3.1 §3.7.5, `MPI_Waitall`.
    @discardableResult
    public static func waitAll(_ requests: [Request]) throws(MPIError) -> [Status] {
        let wasComplete = requests.map(\.isComplete)
        var statuses = [MPI_Status](repeating: MPI_Status(), count: requests.count)
        let code = withHandles(requests) { MPI_Waitall(Int32($0.count), &$0, &statuses) }
        if code != MPI_SUCCESS { throw statusError(code, statuses, "MPI_Waitall") }
        return requests.indices.map { index in
            wasComplete[index] ? (requests[index].finalStatus ?? .empty)
                : requests[index].complete(Status(statuses[index]))
        }
    }

    /// Blocks until one of the requests completes.
    ///
    /// - Returns: the index and status of a completed request, or `nil` if every request
    ///   was already complete (`MPI_UNDEFINED`).
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.7.5, `MPI_Waitany`.
    public static func waitAny(_ requests: [Request]) throws(MPIError) -> (index: Int, status: Status)? {
        var index: Int32 = 0
        var status = MPI_Status()
        let code = withHandles(requests) { MPI_Waitany(Int32($0.count), &$0, &index, &status) }
        try check(code, "MPI_Waitany", context: "\(requests.count) requests")
        guard index != cmpi_undefined() else { return nil }
        return (Int(index), requests[Int(index)].complete(Status(status)))
    }

    /// Completes, without blocking, whichever requests have finished.
    ///
    /// - Returns: the indices and statuses of the requests completed by this call (empty if
    ///   none; also empty if every request was already complete).
    /// - Throws: ``MPIError`` naming the index of the first failed request.
    /// Source: MPI 3.1 §3.7.5, `MPI_Testsome`.
    public static func testSome(_ requests: [Request]) throws(MPIError) -> [(index: Int, status: Status)] {
        var outCount: Int32 = 0
        var indices = [Int32](repeating: 0, count: requests.count)
        var statuses = [MPI_Status](repeating: MPI_Status(), count: requests.count)
        let code = withHandles(requests) { MPI_Testsome(Int32($0.count), &$0, &outCount, &indices, &statuses) }
        if code != MPI_SUCCESS { throw statusError(code, statuses, "MPI_Testsome") }
        guard outCount != cmpi_undefined() else { return [] }
        return (0..<Int(outCount)).map { slot in
            let index = Int(indices[slot])
            return (index, requests[index].complete(Status(statuses[slot])))
        }
    }
}
