// The in-process dispatch benchmark of taskfarm (issue 7). The farm's service API, which it
// drives, does not exist yet: this placeholder says so and exits 3, so that bench/dispatch.py
// keeps taskfarm's row as a marked slot rather than a number.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let message = "dispatch-bench: slot: taskfarm's service API does not exist yet\n"
_ = message.withCString { write(2, $0, strlen($0)) }  // stderr; the global is not Sendable
exit(3)
