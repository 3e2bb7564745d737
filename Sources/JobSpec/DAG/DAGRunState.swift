/// The DAGMan node state machine, as pure logic: feed it what ended (procs, scripts), and it
/// answers with what to start next (``DAGAction``). No processes, clocks or files.
///
/// Semantics (HTCondor manual, DAGMan "Node Success/Failure", "Scripts", "Retrying Failed
/// Nodes", "Stopping the DAG on Node Failure", "FINAL Node", "Throttling"):
/// - A node runs its PRE script, then its procs, then its POST script. A failed PRE script
///   skips the procs and the POST script (DAGMan's default, `DAGMAN_ALWAYS_RUN_POST=False`);
///   a PRE script exiting with the `PRE_SKIP` code marks the node done at once.
/// - The node's procs succeed when every one exits 0; the first failure cancels the rest and
///   gives `$RETURN`. With a POST script, the POST script's exit decides the node.
/// - A failed node is retried (PRE, procs and POST again, `$RETRY` + 1) while retries remain,
///   unless its deciding value equals `UNLESS-EXIT`. A death by signal `s` counts as `-s`.
/// - A node that fails for good makes every descendant futile; independent branches go on.
/// - `ABORT-DAG-ON` fires on the PRE script's exit, on the job's when there is no POST script,
///   or on the POST script's; it overrides retries, stops all running nodes (they count as
///   failed) and starts nothing more but the FINAL node.
/// - `CATEGORY`/`MAXJOBS`: a node holds its category's slot from its PRE script to its end,
///   so the limit also covers scripts. Among ready nodes, higher `PRIORITY` starts first.
/// - The FINAL node starts when every other node has ended (or after an abort), and its
///   success decides the DAG's.
///
/// Each completion costs its node's number of children (``DAGReadiness``); failures mark
/// each descendant futile once. Nothing scans all nodes after ``start()`` but an abort, once.
public struct DAGRunState: Sendable {
    /// The DAG being run (DONE marks from a rescue file already applied).
    public let dag: DAG
    private let procRanges: [Range<Int>]
    private let nodeOfPosition: [Int32]
    /// What is known about each node, by node index.
    public private(set) var records: [DAGNodeRecord]
    private var readiness: DAGReadiness
    private var readyQueue = DAGReadyQueue()
    private var categoryQueues: [String: DAGReadyQueue] = [:]
    /// Nodes holding a slot of each limited category.
    public private(set) var categoryActive: [String: Int] = [:]
    /// Non-FINAL nodes not yet done, failed or futile.
    private var unfinished = 0
    private var procEnded: [Bool]
    private var procsOutstanding: [Int32]
    private var firstProcFailure: [Int32: DAGProcOutcome] = [:]
    private var abortExitCode: Int?
    private var finalStarted = false
    private var dispatching = false
    /// Nodes by state.
    public private(set) var stateCounts = [Int](repeating: 0, count: DAGNodeState.allCases.count)
    /// Nodes failed so far (`$FAILED_COUNT`).
    public private(set) var failedCount = 0
    /// Set once the DAG is over.
    public private(set) var outcome: DAGOutcome?
    /// The DAG's job id (`$DAGID`, `$CLUSTERID`): the farm's run id.
    public var dagID = 0
    /// Exit codes of the procs of each node's current attempt that exited, by node.
    private var exitCodes: [Int32: [Int]] = [:]
    private var actions: [DAGAction] = []

    /// A run of `dag` whose node `n` has the procs at `procRanges[n]` (empty for none).
    public init(dag: DAG, procRanges: [Range<Int>]) {
        precondition(procRanges.count == dag.nodes.count, "one proc range per node")
        self.dag = dag
        self.procRanges = procRanges
        let positions = procRanges.map(\.upperBound).max() ?? 0
        var nodeOfPosition = [Int32](repeating: -1, count: positions)
        for (node, range) in procRanges.enumerated() { for position in range { nodeOfPosition[position] = Int32(node) } }
        self.nodeOfPosition = nodeOfPosition
        self.procEnded = [Bool](repeating: false, count: positions)
        self.procsOutstanding = [Int32](repeating: 0, count: dag.nodes.count)
        self.records = [DAGNodeRecord](repeating: DAGNodeRecord(), count: dag.nodes.count)
        self.readiness = DAGReadiness(dag)
        stateCounts[DAGNodeState.notReady.rawValue] = dag.nodes.count
    }

    /// A run of an expanded DAG job.
    public init(job: DAGJob) {
        self.init(dag: job.dag, procRanges: job.dag.nodes.indices.map(job.positions(of:)))
    }

    /// The state of `node`.
    public func state(of node: Int) -> DAGNodeState { records[node].state }

    /// Procs of `node` started and not yet ended (0 unless it is running).
    public func procsPending(of node: Int) -> Int {
        records[node].state == .running ? Int(procsOutstanding[node]) : 0
    }

    /// `$DAG_STATUS`: 0 OK, 2 a node failed, 3 aborted, 5 the DAG has a cycle (DAGMan's
    /// `DAG_STATUS_CYCLE`).
    public var dagStatus: Int { dag.cycle != nil ? 5 : abortExitCode != nil ? 3 : failedCount > 0 ? 2 : 0 }

    /// Marks `DONE` nodes done and starts every node with no unfinished parent.
    public mutating func start() -> [DAGAction] {
        if dag.cycle != nil {
            // Nothing of a cyclic graph can run; DAGMan goes straight to the FINAL node.
            unfinished = 0
            checkCompletion()
            return takeActions()
        }
        for node in dag.nodes.indices where dag.nodes[node].done && !dag.nodes[node].isFinal {
            setState(node, .done)
            readiness.complete(node) { _ in }
        }
        unfinished = dag.nodes.indices.count { !dag.nodes[$0].isFinal && records[$0].state == .notReady }
        for node in dag.nodes.indices where records[node].state == .notReady && !dag.nodes[node].isFinal
            && readiness.isReady(node) {
            makeReady(node)
        }
        dispatch()
        checkCompletion()
        return takeActions()
    }

    /// Reports that the proc at `position` ended. Reports for procs of a node that is not
    /// running, or repeated reports, are ignored.
    public mutating func procFinished(position: Int, outcome: DAGProcOutcome) -> [DAGAction] {
        let node = Int(nodeOfPosition[position])
        guard records[node].state == .running, !procEnded[position] else { return [] }
        procEnded[position] = true
        procsOutstanding[node] -= 1
        if dag.nodes[node].postScript != nil, case .exited(let code) = outcome {
            exitCodes[Int32(node), default: []].append(code)
        }
        if !outcome.succeeded, firstProcFailure[Int32(node)] == nil {
            firstProcFailure[Int32(node)] = outcome
            if procsOutstanding[node] > 0 { actions.append(.cancelProcs(node: node, positions: procRanges[node])) }
        }
        if procsOutstanding[node] == 0 {
            jobFinished(node, failure: firstProcFailure.removeValue(forKey: Int32(node)))
        }
        return takeActions()
    }

    /// Reports that `node`'s PRE or POST script ended. Stale reports are ignored.
    public mutating func scriptFinished(node: Int, kind: DAGScript.Kind, outcome: DAGProcOutcome) -> [DAGAction] {
        let spec = dag.nodes[node]
        switch kind {
        case .pre:
            guard records[node].state == .preRun, let script = spec.preScript else { return [] }
            let value = outcome.returnValue
            records[node].preScriptReturn = value
            if deferred(node, script, outcome) { break }
            if case .exited(let status) = outcome, status != 0, status == spec.preSkip {
                records[node].lastReturn = value
                succeed(node)
            } else if let abort = spec.abortDagOn, abort.exitValue == value {
                startAbort(exitCode: abort.returnCode ?? value, except: node)
                fail(node, value: value, outcome: outcome, details: "PRE script " + describe(outcome) + " (ABORT-DAG-ON)",
                     retry: false)
            } else if outcome.succeeded {
                startJob(node)
            } else {
                fail(node, value: value, outcome: outcome, details: "PRE script " + describe(outcome))
            }
        case .post:
            guard records[node].state == .postRun, let script = spec.postScript else { return [] }
            if deferred(node, script, outcome) { break }
            finishAttempt(node, value: outcome.returnValue, outcome: outcome, what: "POST script")
        }
        return takeActions()
    }

    /// Stops the DAG from outside (an interruption): running nodes count as failed, nothing
    /// new starts, and the FINAL node runs (a FINAL node already running is stopped too, and
    /// the DAG ends). Write the rescue file afterwards with ``DAGRescue/write(_:workingDirectory:created:)``.
    public mutating func abort(exitCode: Int) -> [DAGAction] {
        if outcome == nil, abortExitCode == nil {
            startAbort(exitCode: exitCode, except: nil)
            checkCompletion()
        }
        return takeActions()
    }

    // MARK: - Transitions

    private mutating func setState(_ node: Int, _ state: DAGNodeState) {
        stateCounts[records[node].state.rawValue] -= 1
        stateCounts[state.rawValue] += 1
        records[node].state = state
    }

    private mutating func makeReady(_ node: Int) {
        setState(node, .ready)
        let priority = dag.nodes[node].priority
        if let category = limitedCategory(node) {
            categoryQueues[category, default: DAGReadyQueue()].push(node, priority: priority)
        } else {
            readyQueue.push(node, priority: priority)
        }
    }

    /// Starts every ready node that its category allows. Not re-entrant: a node that ends at
    /// once (NOOP) readies its children, and this loop picks them up, so a long chain of such
    /// nodes never recurses.
    private mutating func dispatch() {
        guard abortExitCode == nil, !dispatching else { return }
        dispatching = true
        defer { dispatching = false }
        var progress = true
        while progress && abortExitCode == nil {
            progress = false
            while abortExitCode == nil, let node = readyQueue.pop() {
                progress = true
                begin(node)
            }
            for category in categoryQueues.keys {
                let limit = dag.categoryLimits[category]!
                while abortExitCode == nil, categoryActive[category, default: 0] < limit,
                      let node = categoryQueues[category]!.pop() {
                    progress = true
                    categoryActive[category, default: 0] += 1
                    begin(node)
                }
            }
        }
    }

    /// The node's category when `MAXJOBS` limits it (never for the FINAL node).
    private func limitedCategory(_ node: Int) -> String? {
        guard !dag.categoryLimits.isEmpty, let category = dag.nodes[node].category, !dag.nodes[node].isFinal,
              dag.categoryLimits[category] != nil else { return nil }
        return category
    }

    private mutating func releaseCategory(_ node: Int) {
        if let category = limitedCategory(node) { categoryActive[category, default: 1] -= 1 }
    }

    private func macros(_ node: Int) -> DAGScript.Macros {
        let spec = dag.nodes[node]
        var macros = DAGScript.Macros(job: spec.name, retry: records[node].retry, maxRetries: spec.retries,
                                      dagStatus: dagStatus, failedCount: failedCount,
                                      returnValue: records[node].lastReturn,
                                      preScriptReturn: records[node].preScriptReturn)
        macros.nodeCount = dag.nodes.count
        macros.doneCount = stateCounts[DAGNodeState.done.rawValue]
        macros.queuedCount = stateCounts[DAGNodeState.running.rawValue]
        macros.futileCount = stateCounts[DAGNodeState.futile.rawValue]
        macros.dagID = dagID
        macros.jobCount = procRanges[node].count
        macros.exitCodes = exitCodes[Int32(node)] ?? []
        return macros
    }

    private mutating func runScript(_ node: Int, _ script: DAGScript, delay: Int = 0) {
        actions.append(.runScript(node: node, kind: script.kind, argv: script.argv(macros(node)),
                                  directory: dag.nodes[node].directory, delaySeconds: delay))
    }

    /// Starts an attempt: the PRE script, or the procs.
    private mutating func begin(_ node: Int) {
        // lastReturn and lastSignal keep the previous attempt's result until this one decides.
        records[node].preScriptReturn = nil
        if dag.nodes[node].preScript != nil, let pre = dag.nodes[node].preScript {
            setState(node, .preRun)
            runScript(node, pre)
        } else {
            startJob(node)
        }
    }

    private mutating func startJob(_ node: Int) {
        let range = procRanges[node]
        guard !range.isEmpty else { return jobFinished(node, failure: nil) }
        setState(node, .running)
        exitCodes[Int32(node)] = nil
        procsOutstanding[node] = Int32(range.count)
        for position in range { procEnded[position] = false }
        actions.append(.startProcs(node: node, positions: range, retry: records[node].retry))
    }

    private mutating func jobFinished(_ node: Int, failure: DAGProcOutcome?) {
        let value = failure?.returnValue ?? 0
        records[node].lastReturn = value
        if let post = dag.nodes[node].postScript {
            setState(node, .postRun)
            runScript(node, post)
        } else {
            finishAttempt(node, value: value, outcome: failure ?? .exited(0), what: "job")
        }
    }

    /// Decides a node from the deciding value of its last step (job or POST script).
    private mutating func finishAttempt(_ node: Int, value: Int, outcome: DAGProcOutcome, what: String) {
        records[node].lastReturn = value
        var aborting = false
        if let abort = dag.nodes[node].abortDagOn, abort.exitValue == value {
            // Abort first, so that a success releases no children and retries are overridden.
            startAbort(exitCode: abort.returnCode ?? value, except: node)
            aborting = true
        }
        if outcome.succeeded {
            succeed(node)
        } else {
            fail(node, value: value, outcome: outcome, details: "\(what) " + describe(outcome), retry: !aborting)
        }
    }

    /// Whether a script's exit asks for a `DEFER` rerun, which it then schedules.
    private mutating func deferred(_ node: Int, _ script: DAGScript, _ outcome: DAGProcOutcome) -> Bool {
        guard let status = script.deferStatus, outcome == .exited(status) else { return false }
        runScript(node, script, delay: script.deferSeconds)
        return true
    }

    private func describe(_ outcome: DAGProcOutcome) -> String {
        switch outcome {
        case .exited(let status): return "exited with status \(status)"
        case .signaled(let signal): return "died on signal \(signal)"
        case .cancelled: return "was removed"
        }
    }

    private mutating func succeed(_ node: Int) {
        releaseCategory(node)
        setState(node, .done)
        records[node].details = ""
        if dag.nodes[node].isFinal { return finish() }
        unfinished -= 1
        for child in dag.children[node] where readiness.parentCompleted(of: Int(child)) {
            if records[Int(child)].state == .notReady { makeReady(Int(child)) }
        }
        dispatch()
        checkCompletion()
    }

    private mutating func fail(_ node: Int, value: Int, outcome: DAGProcOutcome, details: String, retry: Bool = true) {
        releaseCategory(node)
        records[node].lastReturn = value
        if case .signaled(let signal) = outcome { records[node].lastSignal = signal } else { records[node].lastSignal = nil }
        let spec = dag.nodes[node]
        if retry, abortExitCode == nil, !finalStarted || spec.isFinal, records[node].retry < spec.retries,
           value != spec.unlessExit {
            records[node].retry += 1
            makeReady(node)
            dispatch()
            return
        }
        setState(node, .failed)
        records[node].details = details
        failedCount += 1
        if spec.isFinal { return finish() }
        unfinished -= 1
        markDescendantsFutile(of: node)
        checkCompletion()
    }

    private mutating func markDescendantsFutile(of node: Int) {
        var pending = Array(dag.children[node])
        while let child = pending.popLast() {
            let child = Int(child)
            guard records[child].state == .notReady else { continue }
            setState(child, .futile)
            records[child].details = "Had an ancestor node fail"
            unfinished -= 1
            pending += dag.children[child]
        }
    }

    /// Records the abort and stops every active node but `node` (the one being decided):
    /// they count as failed, as in DAGMan's last status file. Scans the nodes once per run.
    private mutating func startAbort(exitCode: Int, except node: Int?) {
        abortExitCode = exitCode
        actions.append(.abortDAG(exitCode: exitCode))
        for state in [DAGNodeState.preRun, .running, .postRun] where stateCounts[state.rawValue] > 0 {
            for other in dag.nodes.indices where other != node && records[other].state == state {
                releaseCategory(other)
                setState(other, .failed)
                records[other].details = "Was \(state) when the DAG was aborted"
                failedCount += 1
                if dag.nodes[other].isFinal { finish() } else { unfinished -= 1 }
            }
        }
    }

    /// Starts the FINAL node, or ends the DAG, once nothing else can run.
    private mutating func checkCompletion() {
        guard outcome == nil, !finalStarted, unfinished == 0 || abortExitCode != nil else { return }
        if let final = dag.finalNode {
            finalStarted = true
            setState(final, .ready)
            begin(final)
        } else {
            finish()
        }
    }

    private mutating func finish() {
        guard outcome == nil else { return }
        let aborted = abortExitCode != nil
        let succeeded: Bool
        let exitCode: Int
        if dag.cycle != nil {
            succeeded = false
            exitCode = 1
        } else if let final = dag.finalNode {
            succeeded = records[final].state == .done
            exitCode = succeeded ? 0 : (abortExitCode.flatMap { $0 == 0 ? nil : $0 } ?? 1)
        } else if let abortExitCode {
            succeeded = abortExitCode == 0
            exitCode = abortExitCode
        } else {
            succeeded = failedCount == 0
            exitCode = succeeded ? 0 : 1
        }
        let result = DAGOutcome(succeeded: succeeded, exitCode: exitCode, aborted: aborted, failedNodes: failedCount)
        outcome = result
        actions.append(.finished(result))
    }

    private mutating func takeActions() -> [DAGAction] {
        defer { actions = [] }
        return actions
    }
}
