import Foundation
import Glibc

/// What a worker reports about its host.
enum HostFacts {
    /// The host name, from `gethostname`.
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Online CPUs.
    static var cores: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// Physical memory in bytes.
    static var memoryBytes: Int { sysconf(Int32(_SC_PHYS_PAGES)) * sysconf(Int32(_SC_PAGESIZE)) }

    /// Memory available for new work without swapping, in bytes: `MemAvailable` of
    /// /proc/meminfo (proc(5)), or nil where it cannot be read.
    static var availableMemoryBytes: Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
              let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kib * 1024
    }

    /// Free space for unprivileged users on the file system holding `path`, in KiB
    /// (`statvfs`: `f_bavail * f_frsize / 1024`), or 0 when it cannot be read.
    static func freeDiskKiB(at path: String) -> Int {
        var facts = statvfs()
        guard statvfs(path, &facts) == 0 else { return 0 }
        return Int(facts.f_bavail) * Int(facts.f_frsize) / 1024
    }

    /// The architecture as HTCondor's `Arch` names it: `X86_64` and `INTEL` for the x86
    /// machines, `uname -m` otherwise (HTCondor manual: "Arch" machine ad attribute).
    static var arch: String {
        var names = utsname()
        guard uname(&names) == 0 else { return "" }
        let machine = withUnsafeBytes(of: names.machine) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        switch machine {
        case "x86_64", "amd64": return "X86_64"
        case "i386", "i486", "i586", "i686": return "INTEL"
        case "ppc64le": return "PPC64LE"
        default: return machine
        }
    }
}
