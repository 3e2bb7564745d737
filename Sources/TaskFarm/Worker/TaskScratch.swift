import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JobSpec
import SystemPackage

/// A fresh temporary folder for one attempt, made before it starts and removed, with
/// everything in it, after it ends: PBS Pro's per-job `TMPDIR` (attribute `pbs.tmpdir`)
/// and HTCondor's scratch directory (attribute `condor.scratch`: `_CONDOR_SCRATCH_DIR`,
/// and `TMPDIR`, `TMP`, `TEMP` as HTCondor sets them). Tasks without either attribute
/// never get here.
///
/// Source: PBS Pro Reference Guide, "TMPDIR"; HTCondor manual, "Environment variables"
/// (`_CONDOR_SCRATCH_DIR`).
struct TaskScratch {
    /// The folder's absolute path.
    let path: String
    /// The variables that point the task at it.
    let variables: [(String, String)]

    /// Whether `attributes` ask for a scratch folder.
    static func wanted(_ attributes: [String: String]) -> Bool {
        attributes["pbs.tmpdir"] != nil || attributes["condor.scratch"] != nil
    }

    /// Makes the folder under `base` (the worker's `TMPDIR`, or `/tmp`), named after the
    /// run, the task's index and the attempt.
    ///
    /// - Returns: the folder, or a ``ScratchError`` with `errno`'s text when it cannot be made.
    /// A PBS subjob (attribute `pbs.nodefile`, a line count) also gets `PBS_NODEFILE`, a file
    /// in the folder naming `host` that many times.
    static func make(for task: TaskSpec, runID: Int, attempt: Int, base: String,
                     host: String) -> Result<TaskScratch, ScratchError> {
        let template = "\(base)/taskfarm.\(runID).\(task.arrayIndex).\(attempt).XXXXXX"
        var bytes = Array(template.utf8CString)
        guard mkdtemp(&bytes) != nil else {
            return .failure(ScratchError(message: "cannot make a temporary folder under \(base): \(Errno(rawValue: errno).description)"))
        }
        let path = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var variables: [(String, String)] = [("TMPDIR", path)]
        // PBS_NODEFILE: this host, once per MPI process of the subjob's chunk.
        if let lines = task.attributes["pbs.nodefile"].flatMap({ Int($0) }), lines > 0 {
            let nodefile = path + "/nodefile"
            let text = String(repeating: host + "\n", count: lines)
            guard FileManager.default.createFile(atPath: nodefile, contents: Data(text.utf8)) else {
                try? FileManager.default.removeItem(atPath: path)
                return .failure(ScratchError(message: "cannot write the node file \(nodefile)"))
            }
            variables.append(("PBS_NODEFILE", nodefile))
        }
        if task.attributes["condor.scratch"] != nil {
            variables += [("_CONDOR_SCRATCH_DIR", path), ("TMP", path), ("TEMP", path)]
        }
        return .success(TaskScratch(path: path, variables: variables))
    }

    /// Removes the folder and everything in it; a task's leftovers never fail its report.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Why a scratch folder could not be made.
struct ScratchError: Error {
    var message: String
}
