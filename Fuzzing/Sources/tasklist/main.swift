import FuzzSupport
@testable import JobSpec

/// A task list's bytes, as `taskfarm run tasks.txt` reads them: indexed, then its tasks built.
func fuzzTaskList(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let list = try? TaskList(data: FuzzInput.data(data, size), file: "fuzz.txt") else { return 0 }
    JobExercise.run(list)
    _ = list.barriers
    return 0
}

FuzzDriver.run(fuzzTaskList)
