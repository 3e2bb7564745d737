/// When a `map` can end, and with which error, as its chunks answer in any order: it
/// fails with the error of the first failing chunk in input order, as Python's
/// `Executor.map` (and mpi4py.futures') raises the exception of the first failing item in
/// input order, not the one that happened to fail first. So a failure is reported only once
/// every chunk before it has answered: one of those may fail too, and then its error wins.
/// Used on the MPI thread only.
struct MapVerdict {
    /// How the map ended.
    enum Outcome: Equatable {
        /// Every chunk answered without error.
        case succeeded
        /// The error of the first failing chunk in input order.
        case failed(ServiceError)
    }

    private var answered: [Bool]
    /// Chunks `0 ..< answeredPrefix` have all answered.
    private var answeredPrefix = 0
    /// The failing chunk with the lowest index so far, and its error.
    private var firstFailure: (chunk: Int, error: ServiceError)?

    /// A map of `chunks` chunks, none answered.
    init(chunks: Int) {
        answered = Array(repeating: false, count: chunks)
    }

    /// Records chunk `chunk`'s answer (`failure` nil: it succeeded) and returns how the map
    /// ends, or nil while that is not known yet. A chunk answered twice, or outside the
    /// map, is ignored.
    mutating func record(chunk: Int, failure: ServiceError?) -> Outcome? {
        guard answered.indices.contains(chunk), !answered[chunk] else { return nil }
        answered[chunk] = true
        if let failure, chunk < firstFailure?.chunk ?? Int.max { firstFailure = (chunk, failure) }
        while answeredPrefix < answered.count, answered[answeredPrefix] { answeredPrefix += 1 }
        if let firstFailure, answeredPrefix >= firstFailure.chunk { return .failed(firstFailure.error) }
        return answeredPrefix == answered.count ? .succeeded : nil
    }
}
