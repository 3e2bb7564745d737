import Glibc
import MPI

/// Where every rank meets after its loop and before `MPI_Finalize`, so that rank 0 can tell
/// a rank that never gets there: a worker whose synchronous service handler never returns
/// holds the rank's one MPI thread, never reads the stop, and would keep every other rank in
/// Open MPI's finalize fence for ever, with `mpirun` up after `taskfarm shutdown` had removed
/// the connection file. Rank 0 waits ``grace`` seconds for the others, then ends the job as
/// after a lost worker (``FinalizeFence``, ``RuntimeJobEnd``), as `hq server stop` and
/// `scancel` end their jobs whatever the tasks are doing.
///
/// The meeting is an `MPI_Ibarrier` polled with sleeps that grow from 100 µs to 10 ms, so no
/// rank busy-polls a core while it waits (Open MPI's `MPI_Wait` would), and a run's end, which
/// every rank normally reaches within a millisecond of the others, is not held up by a
/// whole 10 ms sleep (the start-up benchmark times a 1-task run end to end).
enum FinalizeRendezvous {
    /// How long rank 0 waits for the other ranks after its own loop ended, in seconds: the
    /// others leave theirs as soon as they read the stop, and a worker stopping its tasks
    /// has already reported their ends to rank 0 by then.
    static let grace = 5.0

    /// Enters the meeting and waits for every rank: at most `limit` seconds (`nil`: until they
    /// all came). Returns whether they all came; `true` too when MPI refuses the barrier, so
    /// that the rank finalizes as it did without it.
    static func everyRankArrives(_ world: Communicator, waitingAtMost limit: Double?) -> Bool {
        guard world.size > 1 else { return true }
        let request: Request
        do {
            request = try world.ibarrier()
        } catch {
            return true
        }
        let deadline = limit.map { Clock.monotonicSeconds() + $0 }
        var sleep: UInt32 = 100
        while true {
            do {
                if try request.test() != nil { return true }
            } catch {
                return true
            }
            if let deadline, Clock.monotonicSeconds() >= deadline { return false }
            usleep(sleep)
            sleep = min(sleep * 2, 10_000)
        }
    }
}
