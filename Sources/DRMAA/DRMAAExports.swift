import Foundation
import TaskFarm

// The DRMAA 1.0 C binding (OGF GFD.133), exported from libdrmaa.so with C names. Each
// function writes its diagnosis into the caller's `error_diagnosis` buffer and returns a
// `DRMAA_ERRNO_*` code. Opaque handles are retained Swift objects.

/// Copies `text` into the caller's buffer of `length` bytes, cut and NUL-terminated.
private func write(_ text: String, to buffer: UnsafeMutablePointer<CChar>?, length: Int) {
    guard let buffer, length > 0 else { return }
    let bytes = Array(text.utf8.prefix(length - 1))
    for (offset, byte) in bytes.enumerated() { buffer[offset] = CChar(bitPattern: byte) }
    buffer[bytes.count] = 0
}

/// Runs `body`, turning a failure into its code and diagnosis.
private func call(_ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int,
                  _ body: () throws(DRMAAFailure) -> Void) -> Int32 {
    do {
        try body()
        return DRMAAErrno.success.rawValue
    } catch {
        write(error.diagnosis, to: diagnosis, length: length)
        return error.code.rawValue
    }
}

/// The active session.
private func session() throws(DRMAAFailure) -> DRMAASession {
    guard let session = DRMAASession.lock.withLock({ DRMAASession.active }) else { throw DRMAAFailure(.noActiveSession) }
    return session
}

private func string(_ pointer: UnsafePointer<CChar>?) -> String? { pointer.map { String(cString: $0) } }

private func template(_ pointer: OpaquePointer?) throws(DRMAAFailure) -> DRMAAJobTemplate {
    guard let pointer else { throw DRMAAFailure(.invalidArgument, "no job template") }
    return Unmanaged<DRMAAJobTemplate>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
}

private func list(_ items: [String]) -> OpaquePointer {
    OpaquePointer(Unmanaged.passRetained(DRMAAStringList(items)).toOpaque())
}

private func nextItem(_ pointer: OpaquePointer?, _ value: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    guard let pointer else { return DRMAAErrno.invalidArgument.rawValue }
    let list = Unmanaged<DRMAAStringList>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    guard list.next < list.items.count else { return DRMAAErrno.noMoreElements.rawValue }
    write(list.items[list.next], to: value, length: length)
    list.next += 1
    return DRMAAErrno.success.rawValue
}

private func count(_ pointer: OpaquePointer?, _ size: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let pointer, let size else { return DRMAAErrno.invalidArgument.rawValue }
    size.pointee = Unmanaged<DRMAAStringList>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue().items.count
    return DRMAAErrno.success.rawValue
}

/// Stores `value` in the caller's `out` (when given) and returns success: the tail of the
/// `drmaa_w*` macros, which cannot fail.
private func answer(_ value: Int32, to out: UnsafeMutablePointer<Int32>?) -> Int32 {
    out?.pointee = value
    return DRMAAErrno.success.rawValue
}

/// ``answer(_:to:)`` for a yes/no macro: 1 for true, 0 for false.
private func answer(_ flag: Bool, to out: UnsafeMutablePointer<Int32>?) -> Int32 {
    answer(flag ? 1 : 0, to: out)
}

private func release(_ pointer: OpaquePointer?) {
    guard let pointer else { return }
    Unmanaged<DRMAAStringList>.fromOpaque(UnsafeRawPointer(pointer)).release()
}

// MARK: Lists

/// GFD.133 `drmaa_get_next_attr_name`: the next name of an attribute-name list into `value` (`length` bytes); `DRMAA_ERRNO_NO_MORE_ELEMENTS` at its end. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_get_next_attr_name")
public func drmaa_get_next_attr_name(_ values: OpaquePointer?, _ value: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    nextItem(values, value, length)
}

/// GFD.133 `drmaa_get_next_attr_value`: the next value of a vector attribute's list into `value` (`length` bytes); `DRMAA_ERRNO_NO_MORE_ELEMENTS` at its end. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_get_next_attr_value")
public func drmaa_get_next_attr_value(_ values: OpaquePointer?, _ value: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    nextItem(values, value, length)
}

/// GFD.133 `drmaa_get_next_job_id`: the next job id of a bulk submission's list into `value` (`length` bytes); `DRMAA_ERRNO_NO_MORE_ELEMENTS` at its end. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_get_next_job_id")
public func drmaa_get_next_job_id(_ values: OpaquePointer?, _ value: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    nextItem(values, value, length)
}

/// GFD.133 `drmaa_get_num_attr_names`: how many names an attribute-name list holds, into `size`. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_get_num_attr_names")
public func drmaa_get_num_attr_names(_ values: OpaquePointer?, _ size: UnsafeMutablePointer<Int>?) -> Int32 { count(values, size) }

/// GFD.133 `drmaa_get_num_attr_values`: how many values a vector attribute's list holds, into `size`. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_get_num_attr_values")
public func drmaa_get_num_attr_values(_ values: OpaquePointer?, _ size: UnsafeMutablePointer<Int>?) -> Int32 { count(values, size) }

/// GFD.133 `drmaa_get_num_job_ids`: how many job ids a bulk submission's list holds, into `size`. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_get_num_job_ids")
public func drmaa_get_num_job_ids(_ values: OpaquePointer?, _ size: UnsafeMutablePointer<Int>?) -> Int32 { count(values, size) }

/// GFD.133 `drmaa_release_attr_names`: frees an attribute-name list.
@_cdecl("drmaa_release_attr_names")
public func drmaa_release_attr_names(_ values: OpaquePointer?) { release(values) }

/// GFD.133 `drmaa_release_attr_values`: frees a vector attribute's list.
@_cdecl("drmaa_release_attr_values")
public func drmaa_release_attr_values(_ values: OpaquePointer?) { release(values) }

/// GFD.133 `drmaa_release_job_ids`: frees a job-id list.
@_cdecl("drmaa_release_job_ids")
public func drmaa_release_job_ids(_ values: OpaquePointer?) { release(values) }

// MARK: Session

/// GFD.133 `drmaa_init`: opens the session on the farm named by `contact`, else `TASKFARM_CONNECTION` or `./taskfarm.connection`. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_init")
public func drmaa_init(_ contact: UnsafePointer<CChar>?, _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        guard DRMAASession.lock.withLock({ DRMAASession.active }) == nil else { throw DRMAAFailure(.alreadyActiveSession) }
        let opened = try DRMAASession(contact: string(contact))
        DRMAASession.lock.lock()
        defer { DRMAASession.lock.unlock() }
        guard DRMAASession.active == nil else { throw DRMAAFailure(.alreadyActiveSession) }
        DRMAASession.active = opened
    }
}

/// GFD.133 `drmaa_exit`: closes the session; the farm's jobs go on. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_exit")
public func drmaa_exit(_ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        DRMAASession.lock.lock()
        defer { DRMAASession.lock.unlock() }
        guard DRMAASession.active != nil else { throw DRMAAFailure(.noActiveSession) }
        DRMAASession.active = nil
    }
}

// MARK: Job templates

/// GFD.133 `drmaa_allocate_job_template`: a new, empty job template, into `jt`. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_allocate_job_template")
public func drmaa_allocate_job_template(_ jt: UnsafeMutablePointer<OpaquePointer?>?, _ diagnosis: UnsafeMutablePointer<CChar>?,
                                        _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        _ = try session()
        guard let jt else { throw DRMAAFailure(.invalidArgument, "no place for the job template") }
        jt.pointee = OpaquePointer(Unmanaged.passRetained(DRMAAJobTemplate()).toOpaque())
    }
}

/// GFD.133 `drmaa_delete_job_template`: frees a job template. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_delete_job_template")
public func drmaa_delete_job_template(_ jt: OpaquePointer?, _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        _ = try session()
        guard let jt else { throw DRMAAFailure(.invalidArgument, "no job template") }
        Unmanaged<DRMAAJobTemplate>.fromOpaque(UnsafeRawPointer(jt)).release()
    }
}

/// GFD.133 `drmaa_set_attribute`: sets a scalar attribute of a job template (`drmaa_remote_command`, `drmaa_wd`, `drmaa_output_path`, …). Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_set_attribute")
public func drmaa_set_attribute(_ jt: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ value: UnsafePointer<CChar>?,
                                _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        _ = try session()
        guard let name = string(name), let value = string(value) else { throw DRMAAFailure(.invalidArgument) }
        try template(jt).set(name, value)
    }
}

/// GFD.133 `drmaa_get_attribute`: a scalar attribute of a job template, into `value` (`length` bytes). Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_get_attribute")
public func drmaa_get_attribute(_ jt: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ value: UnsafeMutablePointer<CChar>?,
                                _ valueLength: Int, _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        _ = try session()
        guard let name = string(name) else { throw DRMAAFailure(.invalidArgument) }
        guard let text = try template(jt).scalars[name] else {
            throw DRMAAFailure(.invalidArgument, "the attribute \(name) is not set")
        }
        write(text, to: value, length: valueLength)
    }
}

/// GFD.133 `drmaa_set_vector_attribute`: sets a vector attribute of a job template (`drmaa_v_argv`, `drmaa_v_env`, `drmaa_v_email`), from a NULL-terminated array. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_set_vector_attribute")
public func drmaa_set_vector_attribute(_ jt: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                       _ values: UnsafePointer<UnsafePointer<CChar>?>?,
                                       _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        _ = try session()
        guard let name = string(name) else { throw DRMAAFailure(.invalidArgument) }
        var items: [String] = []
        if let values {
            var index = 0
            while let item = values[index] {
                items.append(String(cString: item))
                index += 1
            }
        }
        try template(jt).setVector(name, items)
    }
}

/// GFD.133 `drmaa_get_vector_attribute`: a vector attribute of a job template, as a list to walk with `drmaa_get_next_attr_value`. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_get_vector_attribute")
public func drmaa_get_vector_attribute(_ jt: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                       _ values: UnsafeMutablePointer<OpaquePointer?>?,
                                       _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        _ = try session()
        guard let name = string(name), let values else { throw DRMAAFailure(.invalidArgument) }
        guard let items = try template(jt).vectors[name] else {
            throw DRMAAFailure(.invalidArgument, "the vector attribute \(name) is not set")
        }
        values.pointee = list(items)
    }
}

/// GFD.133 `drmaa_get_attribute_names`: the scalar attribute names this implementation takes, as a list. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_get_attribute_names")
public func drmaa_get_attribute_names(_ values: UnsafeMutablePointer<OpaquePointer?>?,
                                      _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        guard let values else { throw DRMAAFailure(.invalidArgument) }
        values.pointee = list(DRMAAJobTemplate.scalarNames)
    }
}

/// GFD.133 `drmaa_get_vector_attribute_names`: the vector attribute names this implementation takes, as a list. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_get_vector_attribute_names")
public func drmaa_get_vector_attribute_names(_ values: UnsafeMutablePointer<OpaquePointer?>?,
                                             _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        guard let values else { throw DRMAAFailure(.invalidArgument) }
        values.pointee = list(DRMAAJobTemplate.vectorNames)
    }
}

// MARK: Jobs

/// GFD.133 `drmaa_run_job`: submits one job from a template to the farm's queue; its id into `jobID` (`jobIDLength` bytes). Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_run_job")
public func drmaa_run_job(_ jobID: UnsafeMutablePointer<CChar>?, _ jobIDLength: Int, _ jt: OpaquePointer?,
                          _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        let ids = try session().run(try template(jt), indices: nil)
        write(DRMAASession.jobText(ids[0]), to: jobID, length: jobIDLength)
    }
}

/// GFD.133 `drmaa_run_bulk_jobs`: submits the jobs `start` to `end` by `increment` as one array (`$drmaa_incr_ph$` is each index); their ids as a list. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_run_bulk_jobs")
public func drmaa_run_bulk_jobs(_ jobIDs: UnsafeMutablePointer<OpaquePointer?>?, _ jt: OpaquePointer?, _ start: Int32,
                                _ end: Int32, _ increment: Int32, _ diagnosis: UnsafeMutablePointer<CChar>?,
                                _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        let session = try session()
        guard let jobIDs else { throw DRMAAFailure(.invalidArgument) }
        guard start >= 1, end >= start, increment >= 1 else {
            throw DRMAAFailure(.invalidArgument, "bulk indices need 1 <= start <= end and incr >= 1 (got \(start), \(end), \(increment))")
        }
        let indices = Array(stride(from: Int(start), through: Int(end), by: Int(increment)))
        let ids = try session.run(try template(jt), indices: indices)
        jobIDs.pointee = list(ids.map(DRMAASession.jobText))
    }
}

/// GFD.133 `drmaa_control`: acts on a job (or every session job for `DRMAA_JOB_IDS_SESSION_ALL`): `DRMAA_CONTROL_TERMINATE` cancels; suspend, resume, hold and release give `DRMAA_ERRNO_*` codes the farm cannot honour. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_control")
public func drmaa_control(_ jobID: UnsafePointer<CChar>?, _ action: Int32, _ diagnosis: UnsafeMutablePointer<CChar>?,
                          _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        let session = try session()
        guard let text = string(jobID), let action = DRMAAAction(rawValue: action) else { throw DRMAAFailure(.invalidArgument) }
        let ids = text == DRMAANames.sessionAll ? session.openJobs : [try session.jobID(text)]
        switch action {
        case .terminate:
            if !ids.isEmpty { try session.cancel(ids) }
        case .suspend:
            throw DRMAAFailure(.suspendInconsistentState, "the farm cannot suspend a task; terminate it instead")
        case .resume:
            throw DRMAAFailure(.resumeInconsistentState, "the farm never suspends a task")
        case .hold:
            throw DRMAAFailure(.holdInconsistentState, "the farm cannot hold a task (it has no release)")
        case .release:
            throw DRMAAFailure(.releaseInconsistentState, "the farm never holds a task on request")
        }
    }
}

/// GFD.133 `drmaa_synchronize`: waits until every listed job has ended, up to `timeout` seconds (`DRMAA_TIMEOUT_WAIT_FOREVER`, `DRMAA_TIMEOUT_NO_WAIT`); `dispose` forgets them. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_synchronize")
public func drmaa_synchronize(_ jobIDs: UnsafePointer<UnsafePointer<CChar>?>?, _ timeout: Int, _ dispose: Int32,
                              _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        let session = try session()
        guard let jobIDs else { throw DRMAAFailure(.invalidArgument) }
        var ids: [Int] = []
        var index = 0
        while let item = jobIDs[index] {
            let text = String(cString: item)
            if text == DRMAANames.sessionAll { ids += session.openJobs } else { ids.append(try session.jobID(text)) }
            index += 1
        }
        guard !ids.isEmpty else { return }
        _ = try session.wait(for: ids, any: false, timeout: timeout)
        if dispose != 0 { session.reap(ids) }
    }
}

/// GFD.133 `drmaa_wait`: waits up to `timeout` seconds for a job (or any, `DRMAA_JOB_IDS_SESSION_ANY`) to end; its id, wait status and usage out. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_wait")
public func drmaa_wait(_ jobID: UnsafePointer<CChar>?, _ jobIDOut: UnsafeMutablePointer<CChar>?, _ jobIDOutLength: Int,
                       _ stat: UnsafeMutablePointer<Int32>?, _ timeout: Int, _ rusage: UnsafeMutablePointer<OpaquePointer?>?,
                       _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        let session = try session()
        guard let text = string(jobID) else { throw DRMAAFailure(.invalidArgument) }
        let ids: [Int]
        if text == DRMAANames.sessionAny {
            ids = session.openJobs
            guard !ids.isEmpty else { throw DRMAAFailure(.invalidJob, "the session has no job left to wait for") }
        } else {
            let id = try session.jobID(text)
            guard session.isOpen(id) else {
                throw DRMAAFailure(.invalidJob, "job \(text) is not a job of this session, or was already reaped")
            }
            ids = [id]
        }
        guard let task = try session.wait(for: ids, any: true, timeout: timeout).first else { throw DRMAAFailure(.internalError) }
        session.reap([task.id])
        write(DRMAASession.jobText(task.id), to: jobIDOut, length: jobIDOutLength)
        let status = DRMAAStatus.encode(task)
        stat?.pointee = status
        if let rusage {
            var usage = ["exit_status=\(DRMAAStatus.exited(status) ? DRMAAStatus.exitStatus(status) : -1)"]
            if let signal = task.end?.signal { usage.append("signal=\(signal)") }
            if let host = task.host { usage.append("hostname=\(host)") }
            rusage.pointee = list(usage)
        }
    }
}

/// GFD.133 `drmaa_wifexited`: whether a wait status says the job exited, into `exited`. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_wifexited")
public func drmaa_wifexited(_ exited: UnsafeMutablePointer<Int32>?, _ stat: Int32, _ diagnosis: UnsafeMutablePointer<CChar>?,
                            _ length: Int) -> Int32 {
    answer(DRMAAStatus.exited(stat), to: exited)
}

/// GFD.133 `drmaa_wexitstatus`: the exit status (0-255) in a wait status, into `status`. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_wexitstatus")
public func drmaa_wexitstatus(_ status: UnsafeMutablePointer<Int32>?, _ stat: Int32, _ diagnosis: UnsafeMutablePointer<CChar>?,
                              _ length: Int) -> Int32 {
    answer(DRMAAStatus.exitStatus(stat), to: status)
}

/// GFD.133 `drmaa_wifsignaled`: whether a wait status says a signal ended the job, into `signaled`. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_wifsignaled")
public func drmaa_wifsignaled(_ signaled: UnsafeMutablePointer<Int32>?, _ stat: Int32, _ diagnosis: UnsafeMutablePointer<CChar>?,
                              _ length: Int) -> Int32 {
    answer(DRMAAStatus.signaled(stat), to: signaled)
}

/// GFD.133 `drmaa_wtermsig`: the name of the signal that ended the job (`SIGKILL`), into `signal` (`signalLength` bytes). Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_wtermsig")
public func drmaa_wtermsig(_ signal: UnsafeMutablePointer<CChar>?, _ signalLength: Int, _ stat: Int32,
                           _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    write(DRMAAStatus.signaled(stat) ? DRMAAStatus.signalName(DRMAAStatus.signal(stat)) : "", to: signal, length: signalLength)
    return DRMAAErrno.success.rawValue
}

/// GFD.133 `drmaa_wcoredump`: whether the job dumped core, into `dumped`: always 0, the farm does not record it. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_wcoredump")
public func drmaa_wcoredump(_ dumped: UnsafeMutablePointer<Int32>?, _ stat: Int32, _ diagnosis: UnsafeMutablePointer<CChar>?,
                            _ length: Int) -> Int32 {
    answer(false, to: dumped)
}

/// GFD.133 `drmaa_wifaborted`: whether a wait status says the job ended without running to an exit (cancelled, or it could not start), into `aborted`. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_wifaborted")
public func drmaa_wifaborted(_ aborted: UnsafeMutablePointer<Int32>?, _ stat: Int32, _ diagnosis: UnsafeMutablePointer<CChar>?,
                             _ length: Int) -> Int32 {
    answer(DRMAAStatus.aborted(stat), to: aborted)
}

/// GFD.133 `drmaa_job_ps`: a job's state (`DRMAA_PS_QUEUED_ACTIVE`, `DRMAA_PS_RUNNING`, `DRMAA_PS_DONE`, `DRMAA_PS_FAILED`, …), into `state`. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_job_ps")
public func drmaa_job_ps(_ jobID: UnsafePointer<CChar>?, _ state: UnsafeMutablePointer<Int32>?,
                         _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call(diagnosis, length) { () throws(DRMAAFailure) in
        let session = try session()
        guard let text = string(jobID), let state else { throw DRMAAFailure(.invalidArgument) }
        state.pointee = try session.state(of: try session.jobID(text)).rawValue
    }
}

// MARK: Errors and versions

/// The texts `drmaa_strerror` returns, made once so the pointers stay valid.
nonisolated(unsafe) private let errorTexts: [Int32: UnsafeMutablePointer<CChar>] = {
    var texts: [Int32: UnsafeMutablePointer<CChar>] = [:]
    for code in 0...25 {
        if let errno = DRMAAErrno(rawValue: Int32(code)) { texts[Int32(code)] = strdup(errno.text) }
    }
    return texts
}()
nonisolated(unsafe) private let unknownErrorText = strdup("unknown DRMAA error code")

/// GFD.133 `drmaa_strerror`: the message of a `DRMAA_ERRNO_*` code, a static C string.
@_cdecl("drmaa_strerror")
public func drmaa_strerror(_ code: Int32) -> UnsafePointer<CChar>? {
    UnsafePointer(errorTexts[code] ?? unknownErrorText)
}

/// GFD.133 `drmaa_get_contact`: the contact string of the session's farm (its connection file), into `contact`. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_get_contact")
public func drmaa_get_contact(_ contact: UnsafeMutablePointer<CChar>?, _ contactLength: Int,
                              _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    let active = DRMAASession.lock.withLock { DRMAASession.active }
    write(active?.contact ?? DRMAASession.defaultContact, to: contact, length: contactLength)
    return DRMAAErrno.success.rawValue
}

/// GFD.133 `drmaa_version`: the DRMAA version implemented: 1.0. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_version")
public func drmaa_version(_ major: UnsafeMutablePointer<UInt32>?, _ minor: UnsafeMutablePointer<UInt32>?,
                          _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    major?.pointee = 1
    minor?.pointee = 0
    return DRMAAErrno.success.rawValue
}

/// GFD.133 `drmaa_get_DRM_system`: the name of the system behind the session: TaskFarm and its version. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_get_DRM_system")
public func drmaa_get_DRM_system(_ system: UnsafeMutablePointer<CChar>?, _ systemLength: Int,
                                 _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    write("TaskFarm \(TaskFarmVersion.current)", to: system, length: systemLength)
    return DRMAAErrno.success.rawValue
}

/// GFD.133 `drmaa_get_DRMAA_implementation`: the name of this implementation. Returns a `DRMAA_ERRNO_*` code.
@_cdecl("drmaa_get_DRMAA_implementation")
public func drmaa_get_DRMAA_implementation(_ implementation: UnsafeMutablePointer<CChar>?, _ implementationLength: Int,
                                           _ diagnosis: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    write("TaskFarm DRMAA 1.0 (libdrmaa)", to: implementation, length: implementationLength)
    return DRMAAErrno.success.rawValue
}
