import Foundation

/// How a DAG run uses the state folder's journal. The rescue DAG alone decides which nodes
/// are done (a rescue run expands fewer procs, so task positions differ from one run to
/// the next); the journal records every attempt of the current run. Each DAG run therefore
/// starts a new journal and keeps the previous one as `journal.N`, so the journal and the
/// rescue file never disagree about a node.
enum DAGJournal {
    /// Moves an existing journal (and its fingerprints) aside as `journal.N`, the first
    /// free N from 1. Returns the new name, or `nil` when there was no journal.
    ///
    /// - Throws: a file system error when the journal cannot be moved.
    static func startAfresh(_ folder: StateFolder) throws -> String? {
        let manager = FileManager.default
        guard manager.fileExists(atPath: folder.journalFile) else { return nil }
        var number = 1
        while manager.fileExists(atPath: "\(folder.journalFile).\(number)") { number += 1 }
        let archived = "\(folder.journalFile).\(number)"
        try manager.moveItem(atPath: folder.journalFile, toPath: archived)
        try? manager.removeItem(atPath: folder.fingerprintsFile)
        return archived
    }
}
