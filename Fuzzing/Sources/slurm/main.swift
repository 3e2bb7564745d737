import FuzzSupport
import JobSpec

/// A Slurm batch script's bytes, as `taskfarm run job.slurm` reads them.
func fuzzSlurm(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    JobExercise.fuzz(data, size, file: "fuzz.slurm", submitter: "sbatch") { text throws(JobSpecError) in
        try SlurmScript(text: text, file: "fuzz.slurm", options: JobExercise.options).job
    }
}

FuzzDriver.run(fuzzSlurm)
