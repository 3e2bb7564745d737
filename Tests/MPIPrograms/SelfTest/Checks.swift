import MPI

/// Counts this rank's passed and failed expectations and prints each failure with its place.
@MainActor
final class Checks {
    let rank: Int
    private(set) var passed = 0
    private(set) var failures = 0

    init(rank: Int) { self.rank = rank }

    func expect(_ condition: Bool, _ what: @autoclosure () -> String,
                file: StaticString = #fileID, line: UInt = #line) {
        if condition {
            passed += 1
        } else {
            failures += 1
            print("rank \(rank): FAIL \(what()) (\(file):\(line))")
        }
    }

    /// Expects `body` to throw an ``MPIError`` of `expected` class.
    func expectError(_ expected: MPIError.Class, _ what: String, file: StaticString = #fileID, line: UInt = #line,
                     _ body: () throws -> Void) {
        do {
            try body()
            expect(false, "\(what): no error, expected \(expected)", file: file, line: line)
        } catch let error as MPIError {
            expect(error.kind == expected, "\(what): got \(error), expected \(expected)", file: file, line: line)
        } catch {
            expect(false, "\(what): got \(error), expected \(expected)", file: file, line: line)
        }
    }
}
