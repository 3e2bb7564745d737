import FuzzSupport
import JobSpec

/// A PBS job script's bytes, as `taskfarm run job.pbs` reads them.
func fuzzPBS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    JobExercise.fuzz(data, size, file: "fuzz.pbs", submitter: "qsub") { text throws(JobSpecError) in
        try PBSScript(text: text, file: "fuzz.pbs", options: JobExercise.options).job
    }
}

FuzzDriver.run(fuzzPBS)
