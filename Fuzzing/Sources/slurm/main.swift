import FuzzSupport
import JobSpec

/// A Slurm batch script's bytes, as `taskfarm run job.slurm` reads them.
func fuzzSlurm(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let script = FuzzInput.jobText(data, size, file: "fuzz.slurm", submitter: "sbatch"),
          let slurm = try? SlurmScript(text: script, file: "fuzz.slurm", options: JobExercise.options)
    else { return 0 }
    JobExercise.run(slurm.job)
    return 0
}

FuzzDriver.run(fuzzSlurm)
