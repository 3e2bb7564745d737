import Foundation
import TestSupport
import XCTest

/// The HTML report opened in a real browser: headless Chromium (Debian's `chromium`) loads
/// it from disk, with no console message, and its timeline has one bar per attempt. The
/// page's own check writes both counts into `#check`, which `--dump-dom` prints.
final class ReportBrowserTests: XCTestCase {
    private static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    func testTheReportLoadsInChromiumWithOneBarPerAttemptAndNoConsoleMessage() throws {
        guard let chromium = Self.chromium else {
            print("ReportBrowserTests: skipped: no Chromium (apt-get install chromium; Scripts/install-dependencies.sh does it)")
            throw XCTSkip("Chromium is not installed (Debian package chromium)")
        }
        let folder = try Harness.temporaryFolder()
        let tasks = (0..<12).map { $0 % 5 == 2 ? "sh -c 'echo \"<b>&\" >&2; exit 2'" : "sleep 0.0\($0 % 3 + 1)" }
        try Harness.write(tasks.joined(separator: "\n") + "\n", to: "t.txt", in: folder)
        XCTAssertEqual(try Harness.taskfarm(["run", "t.txt", "--retries", "1"], ranks: 4, in: folder).status, 1)
        let report = try Harness.run(Harness.taskfarm, ["report", "t.txt", "-o", "report.html"], in: folder)
        XCTAssertEqual(report.status, 0, report.stderr)
        let attempts = 12 + 2

        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = folder.path  // a profile of its own, nothing of the user's
        let page = folder.appendingPathComponent("report.html").absoluteString
        let browser = try Harness.run(chromium, ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                                                 "--user-data-dir=\(folder.appendingPathComponent("profile").path)",
                                                 "--enable-logging=stderr", "--v=0", "--dump-dom", page],
                                      in: folder, environment: environment, timeout: 120)
        XCTAssertEqual(browser.status, 0, browser.stderr)
        let check = try XCTUnwrap(browser.stdout.range(of: #"<pre id="check"[^>]*>"#, options: .regularExpression)
            .map { String(browser.stdout[$0]) }, "the page loaded: \(browser.stdout.prefix(500))")
        func attribute(_ name: String) -> String? {
            check.range(of: "\(name)=\"[^\"]*\"", options: .regularExpression)
                .map { String(check[$0].dropFirst(name.count + 2).dropLast()) }
        }
        XCTAssertEqual(attribute("data-expected-bars"), "\(attempts)")
        XCTAssertEqual(attribute("data-bars"), "\(attempts)", "the timeline has one bar per attempt (the script ran): \(check)")
        XCTAssertEqual(attribute("data-errors"), "0", check)
        let console = browser.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }
        XCTAssertEqual(console, [], "the page logs nothing: no script error, no refused fetch")
    }
}
