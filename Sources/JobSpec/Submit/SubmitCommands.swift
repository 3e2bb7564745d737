/// The submit commands condor_submit knows, so that an unknown key can be told apart
/// from a user macro and a typo can be named ("did you mean request_memory?").
///
/// Source: HTCondor manual, condor_submit, "Submit Description File Commands".
enum SubmitCommands {
    /// Commands the farm acts on.
    static let handled: Set<String> = [
        "universe", "executable", "arguments", "args", "environment", "env", "getenv", "output", "error", "log",
        "input", "initialdir", "initial_dir", "iwd", "request_cpus", "requestcpus", "request_memory",
        "requestmemory", "request_disk", "requestdisk", "request_gpus", "requestgpus", "requirements", "rank", "max_retries", "notification",
        "notify_user", "batch_name", "allowed_job_duration", "allowed_execute_duration", "success_exit_code",
        "noop_job", "noop_job_exit_code", "transfer_executable",
    ]

    /// Every other submit command of condor_submit's manual (and the older spellings it
    /// still takes): valid, but without effect inside the farm; each is warned "ignored"
    /// at its line. File-transfer commands are ``isTransfer(_:)``.
    static let ignored: Set<String> = [
        // Basic and matchmaking
        "priority", "log_xml", "require_gpus", "request_gpu_memory", "gpus_minimum_capability",
        "gpus_maximum_capability", "gpus_minimum_memory", "gpus_minimum_runtime", "cuda_version",
        "requirements_expression", "request_virtualmemory", "want_job_resources",
        // Policy
        "hold", "leave_in_queue", "on_exit_remove", "on_exit_hold", "on_exit_hold_reason", "on_exit_hold_subcode",
        "on_exit_remove_reason", "periodic_remove", "periodic_hold", "periodic_hold_reason", "periodic_hold_subcode",
        "periodic_release", "periodic_vacate", "retry_until", "retry_delay", "next_job_start_delay",
        "noop_job_exit_signal", "job_max_vacate_time", "max_job_retirement_time", "want_graceful_removal",
        "kill_sig", "kill_sig_timeout", "remove_kill_sig", "hold_kill_sig", "checkpoint_exit_code", "keep_claim_idle",
        "allowed_execute_duration_on_exit", "vacate_job_cmd", "job_lease_duration",
        // Queue and accounting
        "accounting_group", "accounting_group_user", "nice_user", "max_idle", "max_materialize",
        "materialize_max_idle", "concurrency_limits", "concurrency_limits_expr", "description", "dagman_log",
        "job_ad_information_attrs", "submit_event_notes", "email_attributes", "job_machine_attrs",
        "job_machine_attrs_history_length", "match_list_length", "ulog_execute_attrs", "batch_project",
        "batch_queue", "batch_runtime", "batch_extra_submit_args", "job_batch_name",
        // Execution environment
        "copy_to_spool", "coresize", "image_size", "load_profile", "run_as_owner", "x509userproxy",
        "use_x509userproxy", "use_oauth_services", "use_scitokens", "scitokens_file", "want_remote_io",
        "want_io_proxy", "starter_debug", "starter_log", "stack_size", "remote_initialdir", "rendezvousdir",
        "encrypt_execute_directory", "job_umask", "buffer_size", "buffer_block_size", "buffer_files",
        "local_files", "compress_files", "fetch_files", "append_files", "file_remaps", "want_checkpoint",
        "want_ft_on_checkpoint", "mount_under_scratch", "delegate_job_gsi_credentials_lifetime",
        // Deferral and cron
        "cron_minute", "cron_hour", "cron_day_of_month", "cron_month", "cron_day_of_week", "cron_prep_time",
        "cron_window", "deferral_time", "deferral_window", "deferral_prep_time",
        // Containers, Java, parallel, VM and grid universes
        "docker_image", "docker_network_type", "docker_pull_policy", "docker_override_entrypoint",
        "container_image", "container_service_names", "container_target_dir", "jar_files", "java_vm_args",
        "machine_count", "vm_type", "vm_memory", "vm_vcpus", "vm_macaddr", "vm_networking", "vm_networking_type",
        "vm_disk", "vm_checkpoint", "vm_no_output_vm", "xen_kernel", "xen_initrd", "xen_root", "xen_kernel_params",
        "vmware_dir", "vmware_should_transfer_files", "vmware_snapshot_disk", "grid_resource", "arc_rte",
        "arc_resources", "arc_application", "arc_data_staging", "cream_attributes", "ec2_access_key_id", "ec2_ami_id", "ec2_availability_zone",
        "ec2_block_device_mapping", "ec2_ebs_volumes", "ec2_elastic_ip", "ec2_iam_profile_arn",
        "ec2_iam_profile_name", "ec2_instance_type", "ec2_keypair", "ec2_keypair_file", "ec2_parameter_names",
        "ec2_secret_access_key", "ec2_security_groups", "ec2_security_ids", "ec2_spot_price", "ec2_tag_names",
        "ec2_user_data", "ec2_user_data_file", "ec2_vpc_ip", "ec2_vpc_subnet", "gce_auth_file", "gce_account",
        "gce_image", "gce_json_file", "gce_machine_type", "gce_metadata", "gce_metadata_file", "gce_preemptible",
        "azure_admin_key", "azure_admin_username", "azure_auth_file", "azure_image", "azure_location",
        "azure_size", "globus_rematch", "globus_resubmit", "globus_rsl", "nordugrid_rsl", "keystore_alias",
        "keystore_file", "keystore_passphrase_file", "transfer_error", "transfer_input", "transfer_output",
        // Other commands
        "dont_encrypt_input_files", "dont_encrypt_output_files", "encrypt_input_files", "encrypt_output_files", "erase_output_and_error_on_restart", "max_transfer_input_mb", "max_transfer_output_mb", "preserve_relative_paths", "skip_filechecks",
        "hold_reason", "shell",
    ]

    /// Whether `name` (lowercased) is a submit command, honoured or not.
    static func isCommand(_ name: String) -> Bool {
        handled.contains(name) || ignored.contains(name) || isTransfer(name)
    }

    /// File-transfer commands: meaningless on a shared file system.
    static func isTransfer(_ key: String) -> Bool {
        key.hasPrefix("transfer_") || key == "should_transfer_files" || key == "when_to_transfer_output"
            || key == "stream_output" || key == "stream_error" || key == "output_destination"
    }


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
