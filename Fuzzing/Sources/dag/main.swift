import FuzzSupport
import JobSpec

/// The submit description every node of a fuzzed DAG names, so that `VARS` reach a real
/// expansion as `taskfarm run` passes them (condor_submit's `-append`).
private let nodeSubmitDescription = """
    executable = /bin/echo
    arguments = "$(JOB) retry $(RETRY) $(x:default) '$(y:1)'"
    output = out.$(JOB).$(Process)
    queue $(count:1)

    """

/// A DAGMan file's bytes, as `taskfarm run job.dag` reads them: parsed, expanded, and
/// checked as `taskfarm check` does.
func fuzzDAG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let text = FuzzInput.jobText(data, size, file: "fuzz.dag"),
          let dag = try? DAGParser.parse(text: text, file: "fuzz.dag", workingDirectory: FuzzInput.scratchFolder,
                                         checkSubmitFiles: false)
    else { return 0 }
    _ = DAGDot.render(dag)
    _ = try? dag.criticalPathLength()
    let job = try? DAGJob(dag: dag) { submitFile, directory, vars, nodeName throws(JobSpecError) in
        var options = JobExercise.options
        options.workingDirectory = FuzzInput.scratchFolder
        let appended = vars.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
        return try SubmitDescription(text: nodeSubmitDescription, file: submitFile, options: options,
                                     appending: appended).job.tasks
    }
    _ = try? DAGCheck.render(dag, job: job)
    if let job {
        JobExercise.run(job)
        _ = DAGRunState(job: job)
    }
    return 0
}

FuzzDriver.run(fuzzDAG)
