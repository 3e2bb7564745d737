import CMPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension MPI {
    /// Runs a whole MPI program: initializes MPI, runs `body`, finalizes and exits 0.
    /// If `body` throws, prints `rank R: <error>` to standard error and aborts the world
    /// with exit status 1, so that the other ranks do not hang waiting for this one.
    ///
    /// ```swift
    /// MPI.run { _ in
    ///     let world = Communicator.world
    ///     try world.barrier()
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - threadLevel: the thread level requested from ``initialize(threadLevel:)``.
    ///   - body: the program; receives the level provided.
    ///
    /// Source: MPI 3.1 §8.7 (`MPI_Init_thread`, `MPI_Finalize`, `MPI_Abort`).
    public static func run(threadLevel: ThreadLevel = .single, _ body: (ThreadLevel) throws -> Void) -> Never {
        let provided = initializeOrExit(threadLevel)
        do {
            try body(provided)
        } catch {
            abortReporting(error)
        }
        finalizeAndExit()
    }

    /// The `async` form of ``run(threadLevel:_:)``: `body` runs on the main actor, so MPI calls
    /// in it stay on the thread that initialized MPI, as `funneled` requires.
    ///
    /// Source: MPI 3.1 §8.7 (`MPI_Init_thread`, `MPI_Finalize`, `MPI_Abort`).
    @MainActor
    public static func run(threadLevel: ThreadLevel = .single,
                           _ body: @MainActor (ThreadLevel) async throws -> Void) async -> Never {
        let provided = initializeOrExit(threadLevel)
        do {
            try await body(provided)
        } catch {
            abortReporting(error)
        }
        finalizeAndExit()
    }

    private static func initializeOrExit(_ threadLevel: ThreadLevel) -> ThreadLevel {
        do {
            return try initialize(threadLevel: threadLevel)
        } catch {
            writeToStandardError("MPI initialization failed: \(error)\n")
            exit(1)
        }
    }

    private static func abortReporting(_ error: any Error) -> Never {
        writeToStandardError("rank \(Communicator.world.rank): \(error)\n")
        abort(errorCode: 1)
    }

    private static func finalizeAndExit() -> Never {
        do {
            try finalize()
        } catch {
            writeToStandardError("rank \(Communicator.world.rank): \(error)\n")
            exit(1)
        }
        exit(0)
    }
}

/// Writes a diagnostic line without Foundation.
func writeToStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}
