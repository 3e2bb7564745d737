import CTaskSpawn
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts a child process with `tf_spawn` (vfork + exec in a process group of its own,
/// default signal handling, no descriptor beyond 0–2): the one way the farm starts
/// processes, for tasks, DAG scripts and rank 0's helper commands.
enum ProcessSpawn {
    /// Why a spawn failed: the exec's own errno (ENOENT, EACCES, ENOEXEC, E2BIG, ...).
    struct Failure: Error {
        var code: Int32
    }

    /// Starts `path` with `argv` and `environment` (`KEY=VALUE` entries).
    /// - Parameters:
    ///   - directory: the child's working folder, or nil for the caller's.
    ///   - stdin, stdout, stderr: descriptors that become the child's 0, 1 and 2.
    ///   - deathSignal: the signal the child gets when the caller dies (PR_SET_PDEATHSIG), 0 for none.
    ///   - widenAffinity: whether to let the child use every CPU, undoing mpirun's binding.
    ///   - bindCPUs: CPU numbers to pin the child to instead (`--bind`); empty for none.
    /// - Returns: the child's pid (also its process group id), or the errno.
    static func start(path: String, argv: [String], environment: [String], directory: String?,
                      stdin: Int32, stdout: Int32, stderr: Int32,
                      deathSignal: Int32, widenAffinity: Bool, bindCPUs: [Int] = []) -> Result<pid_t, Failure> {
        withCStrings(environment) { environmentPointers in
            start(path: path, argv: argv, environmentPointers: environmentPointers, directory: directory,
                  stdin: stdin, stdout: stdout, stderr: stderr, deathSignal: deathSignal, widenAffinity: widenAffinity,
                  bindCPUs: bindCPUs)
        }
    }

    /// ``start(path:argv:environment:directory:stdin:stdout:stderr:deathSignal:widenAffinity:bindCPUs:)``
    /// with a task's environment as the worker keeps it: the inherited entries' C strings
    /// are made once per worker, only the task's own are copied.
    static func start(path: String, argv: [String], environment: SpawnEnvironment, directory: String?,
                      stdin: Int32, stdout: Int32, stderr: Int32,
                      deathSignal: Int32, widenAffinity: Bool, bindCPUs: [Int] = []) -> Result<pid_t, Failure> {
        environment.withEnvironmentPointers { environmentPointers in
            start(path: path, argv: argv, environmentPointers: environmentPointers, directory: directory,
                  stdin: stdin, stdout: stdout, stderr: stderr, deathSignal: deathSignal, widenAffinity: widenAffinity,
                  bindCPUs: bindCPUs)
        }
    }

    private static func start(path: String, argv: [String], environmentPointers: UnsafePointer<UnsafeMutablePointer<CChar>?>,
                              directory: String?, stdin: Int32, stdout: Int32, stderr: Int32,
                              deathSignal: Int32, widenAffinity: Bool, bindCPUs: [Int]) -> Result<pid_t, Failure> {
        var pid: pid_t = 0
        let binding = bindCPUs.map { Int32(clamping: $0) }
        let code = withCStrings(argv) { argvPointers in
            path.withCString { pathPointer in
                withOptionalCString(directory) { directoryPointer in
                    binding.withUnsafeBufferPointer { cpus in
                        var request = tf_spawn_request(
                            path: pathPointer, argv: argvPointers, envp: environmentPointers, cwd: directoryPointer,
                            stdin_fd: stdin, stdout_fd: stdout, stderr_fd: stderr,
                            death_signal: deathSignal, widen_affinity: widenAffinity ? 1 : 0,
                            bind_cpus: cpus.baseAddress, bind_count: Int32(cpus.count))
                        return tf_spawn(&request, &pid)
                    }
                }
            }
        }
        return code == 0 ? .success(pid) : .failure(Failure(code: code))
    }

    /// Calls `body` with a NULL-terminated C array of copies of `strings`.
    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    private static func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let string else { return body(nil) }
        return string.withCString(body)
    }
}
