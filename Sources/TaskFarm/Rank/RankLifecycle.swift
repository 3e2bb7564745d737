import Foundation
import CTaskSpawn
import Glibc
import Logging
import MPI

/// The life of one rank around its role work, the same for `run`, `serve` and a Swift
/// services program: signal handlers before MPI starts (so a SIGUSR1 forwarded by `mpirun`
/// never kills a rank), `MPI_Init_thread` at funneled, the rank in the log metadata, an
/// internal error aborting the whole world rather than hanging it, and `MPI_Finalize`. After a
/// lost worker every rank finalizes without Open MPI's fence (``FinalizeFence``), and rank 0
/// first ends the job (``RuntimeJobEnd``) so that `mpirun` exits; rank 0 does the same when a
/// rank has not left its loop ``FinalizeRendezvous/grace`` seconds after its own ended.
enum RankLifecycle {
    /// Runs `body` on this rank between MPI's start and end and returns its exit status;
    /// 70 when MPI cannot start.
    static func run(logger: Logger, _ body: (Communicator, Logger) throws -> ExitStatus) -> ExitStatus {
        tf_install_signal_handlers()
        do {
            try MPI.initialize(threadLevel: .funneled)
        } catch {
            logger.critical("cannot start MPI: \(error)")
            return .internalError
        }
        // Again after MPI_Init, in case the library installed handlers of its own.
        tf_install_signal_handlers()
        // Under mpirun, a second SIGINT or SIGTERM within 5 s makes mpirun exit at once
        // without forwarding anything, and Open MPI ends the orphaned ranks about a second
        // later: losing the launcher counts as SIGTERM, so the interrupt starts at once.
        if getenv("OMPI_COMM_WORLD_SIZE") != nil { tf_watch_launcher() }
        let world = Communicator.world
        var logger = logger
        logger[metadataKey: "rank"] = "\(world.rank)"
        let status: ExitStatus
        do {
            status = try body(world, logger)
        } catch {
            logger.critical("internal error: \(error)")
            MPI.abort(errorCode: ExitStatus.internalError.rawValue)
        }
        var skipsFence = WorkerRecovery.skipsFinalizeFence(environment: ProcessInfo.processInfo.environment)
        var endsJob = skipsFence && status == .success
        if !skipsFence,
           !FinalizeRendezvous.everyRankArrives(world, waitingAtMost: world.rank == 0 ? FinalizeRendezvous.grace : nil) {
            // Only rank 0 gives up waiting; the others wait for it, or for the job's end.
            logger.error("""
                a rank is still busy \(Int(FinalizeRendezvous.grace)) s after the farm stopped (a service handler that \
                never returns holds its worker); ending the job
                """)
            skipsFence = true
            endsJob = true
        }
        if skipsFence {
            if !FinalizeFence.turnOff() {
                // No way to skip the fence: leave without MPI_Finalize (Open MPI's exit handler
                // would call it, so with _exit).
                fflush(nil)
                _exit(status.rawValue)
            }
            // mpirun would not learn of every rank's end: rank 0, whose work is done, ends the
            // job. After a lost worker only with status 0, which is what mpirun then returns;
            // otherwise mpirun stays up and verdict.json holds the status (docs/failures.md).
            // A rank stuck past the grace would keep mpirun up for ever: the job ends.
            if world.rank == 0 && endsJob {
                fflush(nil)
                if !RuntimeJobEnd.request() { logger.notice("could not ask Open MPI to end the job; mpirun may stay up") }
            }
        }
        do {
            try MPI.finalize()
        } catch {
            logger.error("MPI_Finalize failed: \(error)")
        }
        return status
    }
}
