import FuzzSupport
import JobSpec

/// An HTCondor submit description's bytes, as `taskfarm run job.sub` reads them.
func fuzzSubmit(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let text = FuzzInput.jobText(data, size, file: "fuzz.sub"),
          let description = try? SubmitDescription(text: text, file: "fuzz.sub", options: JobExercise.options)
    else { return 0 }
    JobExercise.run(description.job)
    return 0
}

FuzzDriver.run(fuzzSubmit)
