import XCTest

@testable import TaskFarm

/// Slurm's rules (sbatch: --output, --error): stderr follows stdout when only stdout is
/// named, and the command line wins over the script.
final class OutputDefaultsTests: XCTestCase {
    let farm = OutputDefaults(defaultOutput: "state/%a.out", defaultError: "state/%a.err")

    func testDefaultsWhenNothingIsNamed() {
        let streams = farm.resolve(taskOutput: nil, taskError: nil)
        XCTAssertEqual(streams.stdout, "state/%a.out")
        XCTAssertEqual(streams.stderr, "state/%a.err")
        let none = OutputDefaults().resolve(taskOutput: nil, taskError: nil)
        XCTAssertNil(none.stdout)
        XCTAssertNil(none.stderr)
    }

    func testOnlyStdoutNamedSendsStderrToTheSameFile() {
        let fromTask = farm.resolve(taskOutput: "t-%a.log", taskError: nil)
        XCTAssertEqual(fromTask.stdout, "t-%a.log")
        XCTAssertEqual(fromTask.stderr, "t-%a.log")
        var cli = farm
        cli.output = "c-%a.log"
        let fromCLI = cli.resolve(taskOutput: nil, taskError: nil)
        XCTAssertEqual(fromCLI.stdout, "c-%a.log")
        XCTAssertEqual(fromCLI.stderr, "c-%a.log")
    }

    func testCommandLineWinsOverTheTask() {
        var cli = farm
        cli.output = "c-%a.out"
        let onlyOutput = cli.resolve(taskOutput: "t-%a.out", taskError: nil)
        XCTAssertEqual(onlyOutput.stdout, "c-%a.out")
        XCTAssertEqual(onlyOutput.stderr, "c-%a.out", "stderr follows the stdout that won")
        let withTaskError = cli.resolve(taskOutput: "t-%a.out", taskError: "t-%a.err")
        XCTAssertEqual(withTaskError.stdout, "c-%a.out")
        XCTAssertEqual(withTaskError.stderr, "t-%a.err", "the task's own --error still applies")
        cli.error = "c-%a.err"
        let both = cli.resolve(taskOutput: "t-%a.out", taskError: "t-%a.err")
        XCTAssertEqual(both.stdout, "c-%a.out")
        XCTAssertEqual(both.stderr, "c-%a.err")
    }

    func testOnlyErrorNamedKeepsTheDefaultStdout() {
        var cli = farm
        cli.error = "c-%a.err"
        let streams = cli.resolve(taskOutput: nil, taskError: nil)
        XCTAssertEqual(streams.stdout, "state/%a.out")
        XCTAssertEqual(streams.stderr, "c-%a.err")
        let taskError = farm.resolve(taskOutput: nil, taskError: "t-%a.err")
        XCTAssertEqual(taskError.stdout, "state/%a.out")
        XCTAssertEqual(taskError.stderr, "t-%a.err")
    }
}
