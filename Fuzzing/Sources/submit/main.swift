import FuzzSupport
import JobSpec

/// An HTCondor submit description's bytes, as `taskfarm run job.sub` reads them.
func fuzzSubmit(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    JobExercise.fuzz(data, size, file: "fuzz.sub") { text throws(JobSpecError) in
        try SubmitDescription(text: text, file: "fuzz.sub", options: JobExercise.options).job
    }
}

FuzzDriver.run(fuzzSubmit)
