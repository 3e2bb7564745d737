import Foundation
import Glibc

/// The macros condor_submit defines before it reads a submit description (HTCondor
/// manual, condor_submit, "Pre-defined macros"), as HTCondor's own Python bindings expand
/// them on Linux:
///
/// | macro | value |
/// |---|---|
/// | `$(SUBMIT_FILE)` | the submit file as named on the command line |
/// | `$(SUBMIT_TIME)` | when it was read, in seconds since the Unix epoch |
/// | `$(YEAR)`, `$(MONTH)`, `$(DAY)` | that day, local time: 4, 2 and 2 digits |
/// | `$(Arch)` | the submit host's architecture as HTCondor names it: `X86_64`, `aarch64`, `ppc64le` |
/// | `$(OpSys)` | `LINUX` |
/// | `$(OpSysAndVer)`, `$(OpSysMajorVer)`, `$(OpSysVer)` | from `/etc/os-release`: `Debian12`, `12`, `1200`; `Ubuntu22`, `22`, `2204` |
/// | `$(IsLinux)`, `$(IsWindows)` | `1`, `0` |
///
/// `$(Node)` is defined only in HTCondor's parallel universe and `$(IsMacOS)` not at all on
/// Linux: both expand to nothing, as under condor_submit there.
enum SubmitPredefinedMacros {
    /// The values for a submit file named `file`, read at `time` (seconds since the epoch).
    static func values(file: String, time: Double) -> [String: String] {
        var values = host
        values["submit_file"] = file
        values["submit_time"] = String(Int(time))
        var seconds = time_t(time)
        var parts = tm()
        localtime_r(&seconds, &parts)
        values["year"] = String(format: "%04d", Int(parts.tm_year) + 1900)
        values["month"] = String(format: "%02d", Int(parts.tm_mon) + 1)
        values["day"] = String(format: "%02d", Int(parts.tm_mday))
        return values
    }

    /// The submit host's platform macros, read once.
    static let host: [String: String] = {
        var names = utsname()
        uname(&names)
        let machine = withUnsafeBytes(of: names.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let arch = machine == "x86_64" ? "X86_64" : machine == "i686" ? "INTEL" : machine
        var values = ["arch": arch, "opsys": "LINUX", "islinux": "1", "iswindows": "0"]
        let release = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        var fields: [String: String] = [:]
        for line in release.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
                .trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        if let id = fields["ID"], let version = fields["VERSION_ID"] {
            let numbers = version.split(separator: ".").map { Int($0) ?? 0 }
            let major = numbers.first ?? 0
            let minor = numbers.count > 1 ? numbers[1] : 0
            let names = ["debian": "Debian", "ubuntu": "Ubuntu", "rhel": "RedHat", "centos": "CentOS",
                         "rocky": "Rocky", "almalinux": "AlmaLinux", "fedora": "Fedora", "opensuse-leap": "openSUSE",
                         "sles": "SLES", "amzn": "AmazonLinux"]
            values["opsysandver"] = (names[id] ?? id.prefix(1).uppercased() + id.dropFirst()) + String(major)
            values["opsysmajorver"] = String(major)
            values["opsysver"] = String(major * 100 + minor)
        }
        return values
    }()
}
