import FuzzSupport
import JobSpec

/// A worker's ad as workers announce it, and a job's own attributes, to evaluate against.
private let workerAd: ClassAd = [
    "Machine": .string("node01"), "Cpus": .integer(8), "Memory": .integer(16384), "Disk": .integer(1 << 30),
    "Arch": .string("X86_64"), "OpSys": .string("LINUX"), "Big": .integer(Int.max), "Small": .integer(Int.min),
    "Ratio": .real(0.5), "Huge": .real(.greatestFiniteMagnitude), "Flag": .boolean(true),
]
private let jobAd: ClassAd = ["RequestCpus": .integer(2), "Owner": .string("fuzz"), "Nothing": .undefined, "Bad": .error]

/// A ClassAd expression (`requirements`, `rank`, `+Attribute`), as the submit parser reads
/// it and the scheduler evaluates it against each worker's ad.
func fuzzClassAd(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let text = FuzzInput.text(data, size),
          let expression = try? ClassAdExpression(parsing: text, location: SourceLocation(file: "fuzz.sub", line: 3, column: 16))
    else { return 0 }
    _ = expression.evaluate(workerAd, my: jobAd).description
    _ = expression.matches(workerAd, my: jobAd)
    _ = expression.unmetClauses(workerAd, my: jobAd)
    _ = expression.rankValue(workerAd, my: jobAd)
    _ = expression.evaluate([:])
    return 0
}

FuzzDriver.run(fuzzClassAd)
