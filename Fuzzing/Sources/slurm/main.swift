import FuzzSupport
@testable import JobSpec

/// A Slurm batch script's bytes, as `taskfarm run job.slurm` reads them.
func fuzzSlurm(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let text = try? JobLoader.text(of: FuzzInput.data(data, size), file: "fuzz.slurm"),
          let script = try? JobLoader.checkScript(text, file: "fuzz.slurm", submitter: "sbatch"),
          let slurm = try? SlurmScript(text: script, file: "fuzz.slurm", options: JobExercise.options)
    else { return 0 }
    JobExercise.run(slurm.job)
    return 0
}

FuzzDriver.run(fuzzSlurm)
