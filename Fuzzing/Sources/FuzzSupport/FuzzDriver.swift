import CFuzzerDriver
import Glibc

/// The entry point of every fuzz target.
public enum FuzzDriver {
    /// Hands the process to libFuzzer, which calls `target` with each input (`size` bytes at
    /// `data`) and exits: 0 when the budget ran out, non-zero on a finding.
    public static func run(_ target: @convention(c) (_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, target))
    }
}
