/// The frame of the report page: its style and its one small script, kept here, in the
/// source, so the page needs nothing from the network (its Content-Security-Policy forbids
/// any fetch). The script only checks the page: it counts the timeline's bars and the
/// script errors seen and writes both into `#check`, where a test (or a curious user) reads
/// them.
enum ReportPage {
    static let style = """
        body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
        h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
        .note{color:#666;font-weight:normal}
        code{font-size:12px}
        table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}
        .chart{display:block;max-width:100%;height:auto}
        .label{font-size:10px;fill:#555}
        .axis,.limit{stroke:#888;stroke-width:1}.limit{stroke:#c00;stroke-dasharray:4 3}
        .area{fill:#8ab4e8;stroke:#3a78c2}
        .bar:hover{stroke:#000;stroke-width:1}
        .chip{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
        .k-succeeded{fill:#4caf50;background:#4caf50}.k-failed{fill:#e53935;background:#e53935}
        .k-timedout{fill:#fb8c00;background:#fb8c00}.k-cancelled{fill:#9e9e9e;background:#9e9e9e}
        .k-interrupted{fill:#7e57c2;background:#7e57c2}.k-running{fill:#42a5f5;background:#42a5f5}
        """

    static let script = """
        (function () {
          var errors = [];
          window.addEventListener('error', function (event) { errors.push(String(event.message)); });
          window.addEventListener('load', function () {
            var check = document.getElementById('check');
            check.setAttribute('data-bars', document.querySelectorAll('#timeline rect.bar').length);
            check.setAttribute('data-errors', errors.length);
            check.textContent = errors.join('\\n');
          });
        })();
        """

    /// The whole page around `body`; `expectedBars` is the attempts the timeline must show.
    static func document(title: String, body: String, expectedBars: Int) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
        <title>\(escapeHTML(title))</title>
        <script>\(script)</script>
        <style>\(style)</style>
        </head><body>
        \(body)<p class="note">Made by taskfarm \(TaskFarmVersion.current) from the run's journal.</p>
        <pre id="check" hidden data-expected-bars="\(expectedBars)"></pre>
        </body></html>

        """
    }
}
