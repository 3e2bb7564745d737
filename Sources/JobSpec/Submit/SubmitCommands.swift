/// The submit commands condor_submit knows, so that an unknown key can be told apart
/// from a user macro and a typo can be named ("did you mean request_memory?").
///
/// Source: HTCondor manual, condor_submit, "Submit Description File Commands".
enum SubmitCommands {
    /// Commands the farm acts on.
    static let handled: Set<String> = [
        "universe", "executable", "arguments", "args", "environment", "env", "getenv", "output", "error", "log",
        "initialdir", "initial_dir", "iwd", "request_cpus", "requestcpus", "request_memory", "requestmemory",
        "request_disk", "requestdisk", "requirements", "rank", "max_retries", "notification", "notify_user",
        "batch_name", "allowed_job_duration", "allowed_execute_duration",
    ]

    /// File-transfer commands: meaningless on a shared file system.
    static func isTransfer(_ key: String) -> Bool {
        key.hasPrefix("transfer_") || key == "should_transfer_files" || key == "when_to_transfer_output"
            || key == "stream_output" || key == "stream_error" || key == "output_destination"
    }

    /// Commands that are valid but have no meaning inside the farm; each gives a warning.
    static let ignored: Set<String> = [
        "input", "priority", "accounting_group", "accounting_group_user", "nice_user", "hold", "leave_in_queue",
        "on_exit_remove", "on_exit_hold", "on_exit_hold_reason", "on_exit_hold_subcode", "periodic_remove",
        "periodic_hold", "periodic_release", "periodic_vacate", "max_idle", "max_materialize", "success_exit_code",
        "retry_until", "retry_delay", "request_gpus", "log_xml", "copy_to_spool", "coresize", "kill_sig",
        "job_max_vacate_time", "want_graceful_removal", "concurrency_limits", "image_size", "load_profile",
        "run_as_owner", "x509userproxy", "use_x509userproxy", "description", "job_lease_duration", "dagman_log",
        "max_transfer_input_mb", "max_transfer_output_mb", "encrypt_input_files", "encrypt_output_files",
        "dont_encrypt_input_files", "dont_encrypt_output_files", "want_remote_io", "job_ad_information_attrs",
        "submit_event_notes", "requirements_expression", "docker_image", "container_image", "request_gpu_memory",
        "gpus_minimum_capability", "gpus_minimum_memory", "cron_minute", "cron_hour", "deferral_time",
        "job_machine_attrs", "starter_debug", "skip_filechecks", "on_exit_remove_reason", "keep_claim_idle",
        "buffer_size", "buffer_block_size", "email_attributes", "vacate_job_cmd", "preserve_relative_paths",
        "erase_output_and_error_on_restart", "allowed_execute_duration_on_exit", "want_io_proxy",
    ]

    /// The known command nearest to `key` by edit distance, if it is close enough to be
    /// a likely typo (distance at most a third of the length, and at most 4).
    static func closest(to key: String) -> String? {
        let candidates = handled.union(ignored).union(["transfer_input_files", "transfer_output_files",
                                                      "should_transfer_files", "when_to_transfer_output"])
        var best: (String, Int)?
        for candidate in candidates.sorted() {
            let distance = editDistance(key, candidate)
            if best == nil || distance < best!.1 { best = (candidate, distance) }
        }
        guard let best, best.1 <= max(1, min(4, key.count / 3)) else { return nil }
        return best.0
    }

    /// Levenshtein distance between `a` and `b`.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        var previous = Array(0...y.count)
        for i in 1...max(x.count, 1) where !x.isEmpty {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...max(y.count, 1) where !y.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return x.isEmpty ? y.count : previous[y.count]
    }
}
