import FuzzSupport
import JobSpec

/// A PBS job script's bytes, as `taskfarm run job.pbs` reads them.
func fuzzPBS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let script = FuzzInput.jobText(data, size, file: "fuzz.pbs", submitter: "qsub"),
          let pbs = try? PBSScript(text: script, file: "fuzz.pbs", options: JobExercise.options)
    else { return 0 }
    JobExercise.run(pbs.job)
    return 0
}

FuzzDriver.run(fuzzPBS)
