import Foundation
import FuzzSupport
import JobSpec
@testable import TaskFarm

/// A state folder of the fuzzer's own, whose journal each input replaces.
private let stateFolder: String = {
    let path = FuzzInput.scratchFolder + "/state"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

/// `bytes` with every line given the checksum of its text, so that the fuzzer's mutations
/// reach the record parser and the replay instead of stopping at the checksum: the
/// journal's records are input too (a folder copied, restored or edited), and a CRC-valid
/// record with impossible values must not crash `run` or `status` either.
private func signed(_ bytes: Data) -> Data {
    var result = Data()
    var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
    let torn = lines.removeLast()  // what follows the last newline: a torn record, kept as is
    for line in lines {
        let text = line.firstIndex(of: 0x09).map { line[line.index(after: $0)...] } ?? line
        let crc = String(CRC32.checksum(text), radix: 16)
        result.append(contentsOf: Array((String(repeating: "0", count: 8 - crc.count) + crc + "\t").utf8))
        result.append(contentsOf: text)
        result.append(0x0A)
    }
    result.append(contentsOf: torn)
    return result
}

/// A journal's bytes, as `taskfarm run` (resuming), `taskfarm serve` (restoring its queue) and
/// `taskfarm status` read them. An input whose first byte is odd has every line re-signed.
func fuzzJournal(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var bytes = FuzzInput.data(data, size)
    if let first = bytes.first {
        bytes.removeFirst()
        if first & 1 == 1 { bytes = signed(bytes) }
    }
    guard let replay = try? JournalReplay(data: bytes) else { return 0 }
    _ = replay.counts
    // `run` resuming with a job of as many tasks as the journal knows (bounded), fingerprints
    // differing or not, with and without --force and --rerun-failed.
    let count = min(replay.header?.taskCount ?? replay.states.count, 4096)
    let fingerprints = (0..<max(0, count)).map { UInt64($0) }
    for (force, rerun) in [(false, false), (true, true)] {
        _ = try? ResumePlan(replay: replay, fingerprints: fingerprints, journalFingerprints: nil,
                            rerunFailed: rerun, force: force)
    }
    // `serve` restoring its queue.
    let queue = QueueJob(name: "queue")
    for (position, text) in replay.submitted {
        guard position == queue.taskCount, let task = try? JSONDecoder().decode(TaskSpec.self, from: Data(text.utf8))
        else { break }
        _ = queue.append(task)
    }
    // `status` on the folder.
    guard FileManager.default.createFile(atPath: stateFolder + "/journal", contents: bytes) else {
        fatalError("cannot write \(stateFolder)/journal")
    }
    if let report = try? StatusReport(stateFolder: stateFolder, now: 1_800_000_000) {
        _ = report.text
        _ = report.json
    }
    return 0
}

FuzzDriver.run(fuzzJournal)
