import XCTest
@testable import JobSpec

final class ClassAdExpressionTests: XCTestCase {
    let worker: ClassAd = ["Machine": .string("node7"), "Memory": .integer(4096), "Cpus": .integer(8),
                           "Arch": .string("X86_64"), "OpSys": .string("LINUX"), "Disk": .integer(1_000_000)]

    func expression(_ text: String) throws(JobSpecError) -> ClassAdExpression {
        try ClassAdExpression(parsing: text, location: SourceLocation(file: "j.sub", line: 5, column: 16))
    }

    func value(_ text: String) throws -> ClassAdValue { try expression(text).evaluate(worker) }

    func testComparisonsArithmeticAndScopes() throws {
        XCTAssertEqual(try value("Target.Memory >= 2048 && Cpus > 4"), .boolean(true))
        XCTAssertEqual(try value("TARGET.memory / 1024 + 1"), .integer(5))
        XCTAssertEqual(try value("Memory * 1.5"), .real(6144))
        XCTAssertEqual(try value("-Cpus < 0 ? \"neg\" : \"pos\""), .string("neg"))
        XCTAssertEqual(try value("Disk % 7"), .integer(1_000_000 % 7))
    }

    func testStringEqualityIgnoresCaseButIsDoesNot() throws {
        XCTAssertEqual(try value(#"OpSys == "linux""#), .boolean(true))
        XCTAssertEqual(try value(#"OpSys != "Linux""#), .boolean(false))
        XCTAssertEqual(try value(#"OpSys =?= "linux""#), .boolean(false))
        XCTAssertEqual(try value(#"OpSys =?= "LINUX""#), .boolean(true))
        XCTAssertEqual(try value(#"OpSys =!= "linux""#), .boolean(true))
        XCTAssertEqual(try value(#"OpSys is "LINUX""#), .boolean(true))
        XCTAssertEqual(try value(#"Arch isnt "x86_64""#), .boolean(true))
    }

    func testUndefinedThreeValuedLogic() throws {
        XCTAssertEqual(try value("Gpus > 0"), .undefined)
        XCTAssertEqual(try value("Gpus > 0 && false"), .boolean(false))
        XCTAssertEqual(try value("false && Gpus > 0"), .boolean(false))
        XCTAssertEqual(try value("Gpus > 0 && true"), .undefined)
        XCTAssertEqual(try value("Gpus > 0 || true"), .boolean(true))
        XCTAssertEqual(try value("Gpus > 0 || false"), .undefined)
        XCTAssertEqual(try value("!(Gpus > 0)"), .undefined)
        XCTAssertEqual(try value("Gpus =?= undefined"), .boolean(true))
        XCTAssertEqual(try value("Gpus =!= undefined"), .boolean(false))
        XCTAssertEqual(try value("isUndefined(Gpus)"), .boolean(true))
        XCTAssertEqual(try value("ifThenElse(isUndefined(Gpus), 0, Gpus)"), .integer(0))
        XCTAssertEqual(try value(#""a" + 1"#), .error)
        XCTAssertEqual(try value(#"Memory == "4096""#), .error)
    }

    func testMatchesAndRank() throws {
        XCTAssertTrue(try expression("Memory >= 4096").matches(worker))
        XCTAssertFalse(try expression("Memory > 4096").matches(worker))
        XCTAssertFalse(try expression("Gpus >= 1").matches(worker), "UNDEFINED does not match")
        XCTAssertFalse(try expression("Memory + \"x\"").matches(worker), "ERROR does not match")
        XCTAssertEqual(try expression("Memory").rankValue(worker), 4096)
        XCTAssertEqual(try expression("Machine == \"NODE7\"").rankValue(worker), 1)
        XCTAssertEqual(try expression("Gpus").rankValue(worker), 0)
        XCTAssertTrue(try expression("My.RequestMemory <= Target.Memory")
            .matches(worker, my: ["RequestMemory": .integer(100)]))
    }

    func testUnmetClausesExplainAFailedMatch() throws {
        let requirements = try expression(#"Memory >= 8192 && (OpSys == "LINUX" || Arch == "ARM") && Gpus >= 1"#)
        XCTAssertEqual(requirements.unmetClauses(worker), ["Memory >= 8192 is false", "Gpus >= 1 is undefined"])
        XCTAssertEqual(try expression("Memory > 1").unmetClauses(worker), [])
        XCTAssertEqual(try expression("Cpus > 99 || Memory > 99999").unmetClauses(worker),
                       ["Cpus > 99 || Memory > 99999 is false"])
    }

    func testParseErrorsNameTheColumn() {
        for (text, column) in [("Memory >= ", 16 + 10), ("(Memory > 1", 16 + 11), ("Memory > > 1", 16 + 9),
                               ("Memory $ 1", 16 + 7), ("foo(1)", 16), ("\"open", 16)] {
            let error = expectError { () throws(JobSpecError) in _ = try self.expression(text) }
            XCTAssertEqual(error?.location.line, 5, text)
            XCTAssertEqual(error?.location.column, column, text)
        }
    }

    // Found by the fuzz target `classad`: the one integer quotient that overflows trapped.
    func testIntegerOverflowWrapsInsteadOfTrapping() throws {
        let smallest = "(-9223372036854775807 - 1)"
        XCTAssertEqual(try value("\(smallest) / -1"), .integer(Int.min))
        XCTAssertEqual(try value("\(smallest) % -1"), .integer(0))
        XCTAssertEqual(try value("-\(smallest)"), .integer(Int.min))
        XCTAssertEqual(try value("9223372036854775807 + 1"), .integer(Int.min))
        XCTAssertEqual(try expression("-Small").evaluate(["Small": .integer(Int.min)]), .integer(Int.min))
        XCTAssertEqual(try value("7 / -2"), .integer(-3), "ordinary quotients truncate toward zero")
        XCTAssertEqual(try value("-7 % 3"), .integer(-1))
    }

    // Found by the fuzz target `classad`: deep nesting overflowed the parser's stack, and long
    // chains the evaluator's.
    func testDeepExpressionsAreRefusedNotACrash() throws {
        let depth = 100_000
        for text in [String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth),
                     String(repeating: "!", count: depth) + "true",
                     String(repeating: "- ", count: depth) + "1",
                     String(repeating: "isError(", count: depth) + "1" + String(repeating: ")", count: depth),
                     Array(repeating: "Cpus", count: depth).joined(separator: " || "),
                     Array(repeating: "1", count: depth).joined(separator: " + ")] {
            let error = expectError { () throws(JobSpecError) in _ = try self.expression(text) }
            XCTAssertNotNil(error, String(text.prefix(20)))
            XCTAssertEqual(error?.location.line, 5)
            XCTAssertTrue(error.map { "\($0)".contains("nested more than 256 deep") || "\($0)".contains("1000 operators high") }
                          ?? false, "\(String(describing: error).suffix(200))")
        }
        // Real expressions stay well inside the limits: 256 parentheses, a 900-term chain.
        XCTAssertEqual(try value(String(repeating: "(", count: 255) + "Cpus" + String(repeating: ")", count: 255)), .integer(8))
        let machines = (0..<900).map { "Machine == \"host\($0)\"" }.joined(separator: " || ")
        XCTAssertEqual(try value(machines), .boolean(false))
        XCTAssertEqual(try value(machines + " || Machine == \"NODE7\""), .boolean(true))
    }
}
