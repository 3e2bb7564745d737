import Foundation

/// A run's attempts as Chrome trace-event JSON (the format of `chrome://tracing` and
/// Perfetto): one complete event (`"ph": "X"`) per attempt, `pid` a host and `tid` a worker
/// slot (see ``SlotLanes``), named by metadata events. Times are microseconds from the first
/// attempt's start. Source: the Trace Event Format document, "Complete Events".
public enum ChromeTrace {
    /// The trace of `attempts` (each with an end); `task` gives the array index and command of
    /// the task at a position, or `nil` when unknown (the event then names the position).
    public static func json(_ attempts: [AttemptHistory.Attempt], task: (Int) -> (index: Int, command: String)?) -> String {
        let base = attempts.map(\.start).min() ?? 0
        let micros: (Double) -> Int64 = { Int64(((($0 - base) * 1e6)).rounded()) }
        let placed = SlotLanes(attempts, key: micros)
        var hostIDs: [String: Int] = [:]
        for lane in placed.lanes where hostIDs[lane.host] == nil { hostIDs[lane.host] = hostIDs.count + 1 }
        var events: [String] = []
        for (host, id) in hostIDs.sorted(by: { $0.value < $1.value }) {
            events.append("{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": \(id), \"args\": {\"name\": \(jsonString(host))}}")
        }
        for (row, lane) in placed.lanes.enumerated() {
            events.append("{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": \(hostIDs[lane.host]!), \"tid\": \(row + 1), "
                + "\"args\": {\"name\": \"rank \(lane.rank) slot \(lane.slot)\"}}")
        }
        for (offset, attempt) in attempts.enumerated() {
            let lane = placed.lanes[placed.laneOfAttempt[offset]]
            let start = micros(attempt.start)
            let end = max(start, micros(attempt.end ?? attempt.start))
            var args = "\"position\": \(attempt.position), \"attempt\": \(attempt.attempt), \"rank\": \(attempt.worker), "
                + "\"ended\": \(jsonString(attempt.endDescription))"
            let described = task(attempt.position)
            if let described { args += ", \"command\": \(jsonString(described.command))" }
            events.append("{\"name\": \"task \(described?.index ?? attempt.position)\", \"cat\": \"\(attempt.kind)\", \"ph\": \"X\", "
                + "\"ts\": \(start), \"dur\": \(end - start), \"pid\": \(hostIDs[lane.host]!), "
                + "\"tid\": \(placed.laneOfAttempt[offset] + 1), \"args\": {\(args)}}")
        }
        return "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [\n" + events.joined(separator: ",\n") + "\n]}\n"
    }
}
