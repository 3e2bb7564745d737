import Foundation
import XCTest

/// Users' own scripts run unchanged under mpirun: what each element of a Slurm, PBS or
/// HTCondor job sees (its scheduler's variables, its stdin, its worker's host), with the
/// options given on `taskfarm run`'s command line as sbatch and qsub take them. One run
/// per format, checking many things at once.
final class UserScriptTests: XCTestCase {
    /// `NAME=value` lines of a file.
    private func variables(_ name: String, in folder: URL) -> [String: String] {
        var values: [String: String] = [:]
        for line in (Harness.read(name, in: folder) ?? "").split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return values
    }

    func testSlurmElementsSeeSbatchsVariablesAndTheCommandLineWins() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("line from stdin\n", to: "in.txt", in: folder)
        try Harness.write("""
            #!/bin/bash
            #SBATCH --array=0-9
            #SBATCH -J from-file
            #SBATCH --input=in.txt
            #SBATCH --ntasks=1
            set -eu
            cd "$SLURM_SUBMIT_DIR"
            {
              env | grep -E '^SLURMD?_' | sort
              echo "STDIN=$(cat)"
              echo "PWD=$PWD"
            } > "vars.$SLURM_ARRAY_TASK_ID"
            """, to: "job.sh", in: folder, executable: true)
        let outcome = try Harness.taskfarm(["run", "--array=1-2", "-J", "cli", "-c", "1",
                                            "job.sh"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("job.sh:5:9: warning: --ntasks is not honoured"), outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("vars.0").path),
                       "the command line's --array wins")
        let first = variables("vars.1", in: folder), second = variables("vars.2", in: folder)
        let arrayJob = try XCTUnwrap(first["SLURM_ARRAY_JOB_ID"], "\(first)")
        XCTAssertEqual(second["SLURM_ARRAY_JOB_ID"], arrayJob)
        XCTAssertEqual(Set([first["SLURM_JOB_ID"], second["SLURM_JOB_ID"]]).count, 2, "each element has its own job id")
        XCTAssertEqual(first["SLURM_JOB_ID"], arrayJob)
        XCTAssertEqual(first["SLURM_JOB_NAME"], "cli")
        XCTAssertEqual(first["SLURM_CPUS_PER_TASK"], "1")
        XCTAssertEqual(first["SLURM_NNODES"], "1")
        XCTAssertEqual(first["SLURM_NTASKS"], "1")
        XCTAssertEqual(first["SLURM_SUBMIT_DIR"], folder.path)
        XCTAssertEqual(first["PWD"], folder.path, "cd $SLURM_SUBMIT_DIR under set -u")
        XCTAssertFalse(first["SLURM_SUBMIT_HOST"]?.isEmpty ?? true)
        let host = try XCTUnwrap(first["SLURM_JOB_NODELIST"])
        XCTAssertFalse(host.isEmpty || host.contains("$$("), host)
        XCTAssertEqual(first["SLURMD_NODENAME"], host)
        XCTAssertEqual(first["STDIN"], "line from stdin")
    }
}
