/// The statements that refer to declared nodes: edges, retries, variables, scripts,
/// throttles, abort conditions and output files.
///
/// Source: HTCondor manual, DAGMan Quick Reference; "ALL_NODES Option" (which commands take
/// `ALL_NODES`, never applied to the FINAL node); "Special Node Types" (which commands may
/// not name the FINAL node).
extension DAGBuilder {
    /// Keywords that only configure HTCondor itself; they are warned about and ignored.
    static let ignoredKeywords: Set<String> = ["CONFIG", "JOBSTATE_LOG", "SET_JOB_ATTR", "ENV", "SAVE_POINT_FILE"]
    /// Keywords whose work cannot be done here; ignoring them would drop work silently.
    static let unsupportedKeywords: [String: String] = [
        "PROVISIONER": "PROVISIONER nodes are not supported: the farm's allocation is already provisioned",
        "SERVICE": "SERVICE nodes are not supported",
        "REJECT": "the DAG file is marked REJECT (DAGMan refuses to run it)",
    ]

    func apply(_ line: DAGLine, in scope: DAGScope) throws(JobSpecError) {
        // A continuation with nothing on it (`\` alone) joins to a blank statement: nothing.
        guard !line.words.isEmpty else { return }
        let keyword = line.keyword
        switch keyword {
        case "PARENT": try parentChild(line, in: scope)
        case "PIN_IN", "PIN_OUT":
            try expectWords(line, 3, "\(keyword) NodeName PinNumber")
            let pin = try integer(line, word: 2, what: "a pin number")
            guard pin >= 1 else { throw line.error("pin numbers start at 1, found \(pin)", atWord: 2) }
            let node = try resolveNode(line, word: 1, in: scope)
            if keyword == "PIN_IN" {
                pinStack[pinStack.count - 1].pinsIn[pin, default: []].append(node)
            } else {
                pinStack[pinStack.count - 1].pinsOut[pin, default: []].append(node)
            }
        case "CONNECT": try connect(line, in: scope)
        case "RETRY": try retry(line, in: scope)
        case "VARS": try vars(line, in: scope)
        case "SCRIPT": try script(line, in: scope)
        case "PRE_SKIP":
            try expectWords(line, 3, "PRE_SKIP NodeName ExitCode")
            let code = try integer(line, word: 2, what: "a PRE_SKIP exit code")
            try forEachNode(line, in: scope, allowFinal: true) { $0.preSkip = code }
        case "PRIORITY":
            try expectWords(line, 3, "PRIORITY NodeName Value")
            let value = try integer(line, word: 2, what: "a priority")
            try forEachNode(line, in: scope, allowFinal: false) { $0.priority = value }
        case "CATEGORY":
            try expectWords(line, 3, "CATEGORY NodeName CategoryName")
            let category = scopedCategory(line.words[2].text, in: scope)
            try forEachNode(line, in: scope, allowFinal: false) { $0.category = category }
        case "MAXJOBS":
            try expectWords(line, 3, "MAXJOBS CategoryName MaxJobs")
            let limit = try integer(line, word: 2, what: "a MAXJOBS limit")
            guard limit >= 1 else { throw line.error("MAXJOBS needs a limit of at least 1, found \(limit)", atWord: 2) }
            categoryLimits[scopedCategory(line.words[1].text, in: scope)] = limit
        case "ABORT-DAG-ON": try abortDagOn(line, in: scope)
        case "DONE":
            try expectWords(line, 2, "DONE NodeName")
            try forEachNode(line, in: scope, allowFinal: false, allowAllNodes: false) { $0.done = true }
        case "DOT": try dot(line, in: scope)
        case "NODE_STATUS_FILE": try nodeStatusFile(line, in: scope)
        case _ where DAGBuilder.ignoredKeywords.contains(keyword):
            warn(line, "\(keyword) configures HTCondor itself and has no meaning here; line ignored")
        case _ where DAGBuilder.unsupportedKeywords[keyword] != nil:
            throw line.error(DAGBuilder.unsupportedKeywords[keyword]!, atWord: 0)
        default:
            throw line.error("unknown DAG keyword \(line.words[0].text); expected JOB, FINAL, SPLICE, PARENT, RETRY, "
                             + "VARS, SCRIPT, PRE_SKIP, PRIORITY, CATEGORY, MAXJOBS, ABORT-DAG-ON, DONE, DOT, "
                             + "NODE_STATUS_FILE, INCLUDE or CONFIG", atWord: 0)
        }
    }

    func warn(_ line: DAGLine, _ message: String) {
        warnings.append(JobSpecError(message, at: line.location))
    }

    private func expectWords(_ line: DAGLine, _ count: Int, _ syntax: String) throws(JobSpecError) {
        guard line.words.count == count else {
            throw line.error("expected \(syntax)", atWord: min(line.words.count, count))
        }
    }

    private func integer(_ line: DAGLine, word: Int, what: String) throws(JobSpecError) -> Int {
        guard word < line.words.count, let value = Int(line.words[word].text) else {
            throw line.error("expected \(what) (an integer)", atWord: word)
        }
        return value
    }

    /// Category names are scoped like node names unless global (`+name`).
    private func scopedCategory(_ name: String, in scope: DAGScope) -> String {
        name.hasPrefix("+") ? name : scope.prefix + name
    }

    /// The node a name in this scope refers to.
    private func resolveNode(_ line: DAGLine, word: Int, in scope: DAGScope) throws(JobSpecError) -> Int {
        let local = line.words[word].text
        guard let node = index[scope.scoped(local)] else {
            if scope.splices[local] != nil {
                throw line.error("\(local) is a splice; \(line.keyword) needs a node", atWord: word)
            }
            throw line.error("unknown node \(local) in \(line.keyword); declare it with JOB first", atWord: word)
        }
        return Int(node)
    }

    /// Applies `change` to the node named by word `word`, or to every node of this file except
    /// the FINAL node for `ALL_NODES`.
    private func forEachNode(_ line: DAGLine, word: Int = 1, in scope: DAGScope, allowFinal: Bool,
                             allowAllNodes: Bool = true, _ change: (inout DAGNode) -> Void) throws(JobSpecError) {
        if allowAllNodes, line.word(word, is: "ALL_NODES") {
            for node in scope.ownNodes where !nodes[node].isFinal { change(&nodes[node]) }
            return
        }
        let node = try resolveNode(line, word: word, in: scope)
        if !allowFinal, nodes[node].isFinal {
            throw line.error("\(line.keyword) cannot name the FINAL node \(nodes[node].name)", atWord: word)
        }
        change(&nodes[node])
    }

    private func parentChild(_ line: DAGLine, in scope: DAGScope) throws(JobSpecError) {
        guard let childWord = line.words.indices.first(where: { line.word($0, is: "CHILD") }) else {
            throw line.error("expected PARENT p1 [p2 ...] CHILD c1 [c2 ...]: no CHILD", atWord: line.words.count)
        }
        guard childWord > 1 else { throw line.error("expected at least one parent before CHILD", atWord: 1) }
        guard childWord + 1 < line.words.count else { throw line.error("expected at least one child after CHILD", atWord: childWord + 1) }
        func members(_ words: Range<Int>, asParent: Bool) throws(JobSpecError) -> [Int] {
            var result: [Int] = []
            for word in words {
                let local = line.words[word].text
                if !scope.splices.isEmpty, let splice = scope.splices[local] {
                    result += asParent ? splice.terminal : splice.initial
                    continue
                }
                let node = try resolveNode(line, word: word, in: scope)
                if nodes[node].isFinal {
                    throw line.error("the FINAL node \(local) cannot be a PARENT or CHILD; it runs after all others", atWord: word)
                }
                result.append(node)
            }
            return result
        }
        let parentNodes = try members(1..<childWord, asParent: true)
        let childNodes = try members(childWord + 1..<line.words.count, asParent: false)
        let statement = Int32(statementLocations.count)
        statementLocations.append(line.location)
        for parent in parentNodes {
            for child in childNodes {
                if parent == child {
                    throw JobSpecError(DAGCycle(nodes: [nodes[parent].name]).description, at: line.location)
                }
                edges.append((parent, child))
                edgeStatements.append(statement)
            }
        }
    }

    /// `CONNECT out in`: pin N's `PIN_OUT` nodes of splice `out` become parents of pin N's
    /// `PIN_IN` nodes of splice `in` (DAGMan manual, "Splice Connections").
    private func connect(_ line: DAGLine, in scope: DAGScope) throws(JobSpecError) {
        try expectWords(line, 3, "CONNECT OutputSpliceName InputSpliceName")
        guard let out = scope.splices[line.words[1].text] else {
            throw line.error("unknown splice \(line.words[1].text); CONNECT joins two splices of this file", atWord: 1)
        }
        guard let into = scope.splices[line.words[2].text] else {
            throw line.error("unknown splice \(line.words[2].text); CONNECT joins two splices of this file", atWord: 2)
        }
        let outPins = Set(out.pinsOut.keys), inPins = Set(into.pinsIn.keys)
        guard !outPins.isEmpty, outPins == inPins, outPins.count == outPins.max() else {
            throw line.error("splice \(line.words[1].text) has PIN_OUT pins \(outPins.sorted()) and splice "
                             + "\(line.words[2].text) PIN_IN pins \(inPins.sorted()); CONNECT needs the same pins, "
                             + "numbered from 1", atWord: 0)
        }
        let statement = Int32(statementLocations.count)
        statementLocations.append(line.location)
        for pin in outPins.sorted() {
            for parent in out.pinsOut[pin]! {
                for child in into.pinsIn[pin]! {
                    edges.append((parent, child))
                    edgeStatements.append(statement)
                }
            }
        }
    }

    private func retry(_ line: DAGLine, in scope: DAGScope) throws(JobSpecError) {
        let syntax = "RETRY NodeName Retries [UNLESS-EXIT value]"
        guard line.words.count == 3 || line.words.count == 5 else {
            throw line.error("expected \(syntax)", atWord: min(line.words.count, 5))
        }
        let retries = try integer(line, word: 2, what: "a number of retries")
        guard FarmLimits.retriesProblem(retries) == nil else {
            throw line.error("expected \(FarmLimits.retriesExpectation), found \(retries)", atWord: 2)
        }
        var unlessExit: Int? = nil
        if line.words.count == 5 {
            guard line.word(3, is: "UNLESS-EXIT") else {
                throw line.error("expected UNLESS-EXIT after the number of retries", atWord: 3)
            }
            unlessExit = try integer(line, word: 4, what: "an UNLESS-EXIT value")
        }
        try forEachNode(line, in: scope, allowFinal: false) {
            $0.retries = retries
            $0.unlessExit = unlessExit
        }
    }

    private func vars(_ line: DAGLine, in scope: DAGScope) throws(JobSpecError) {
        guard line.words.count >= 3 else { throw line.error("expected VARS NodeName key=\"value\" ...", atWord: line.words.count) }
        var first = 2
        let mode = DAGLine.upperASCII(line.words[2].text)
        if mode == "PREPEND" || mode == "APPEND" {
            first = 3
            if mode == "PREPEND" {
                warn(line, "VARS PREPEND is treated as APPEND: the macros are set after the submit file is read")
            }
        }
        let pairs = try DAGVarsSyntax.pairs(line.rest(fromWord: first), at: line.location(ofWord: first))
        guard !pairs.isEmpty else { throw line.error("expected at least one key=\"value\" pair", atWord: first) }
        try forEachNode(line, in: scope, allowFinal: true) { node in
            for (key, value) in pairs {
                // $(JOB) is the fully scoped node name (DAGMan expands it in VARS values).
                node.vars[key] = value.replacingOccurrences(of: "$(JOB)", with: node.name)
            }
        }
    }

    private func script(_ line: DAGLine, in scope: DAGScope) throws(JobSpecError) {
        let syntax = "SCRIPT [DEFER status time] PRE|POST NodeName Executable [arguments]"
        var word = 1
        var deferStatus: Int? = nil
        var deferSeconds = 0
        if word < line.words.count, line.word(word, is: "DEFER") {
            deferStatus = try integer(line, word: word + 1, what: "a DEFER exit status")
            deferSeconds = try integer(line, word: word + 2, what: "a DEFER time in seconds")
            word += 3
        }
        if word < line.words.count, line.word(word, is: "DEBUG") {
            guard word + 2 < line.words.count else { throw line.error("expected DEBUG filename STDOUT|STDERR|ALL", atWord: word + 1) }
            warn(line, "SCRIPT DEBUG is not supported; the script's output goes to the farm's log")
            word += 3
        }
        guard word + 2 < line.words.count else { throw line.error("expected \(syntax)", atWord: min(word + 2, line.words.count)) }
        let kind: DAGScript.Kind
        switch DAGLine.upperASCII(line.words[word].text) {
        case "PRE": kind = .pre
        case "POST": kind = .post
        case "HOLD":
            warn(line, "SCRIPT HOLD has no meaning here (tasks are never held); line ignored")
            return
        default: throw line.error("expected PRE or POST, found \(line.words[word].text)", atWord: word)
        }
        let script = DAGScript(kind: kind, executable: line.words[word + 2].text,
                               arguments: line.words[(word + 3)...].map(\.text), deferStatus: deferStatus,
                               deferSeconds: deferSeconds, source: line.location)
        try forEachNode(line, word: word + 1, in: scope, allowFinal: true) {
            if kind == .pre { $0.preScript = script } else { $0.postScript = script }
        }
    }

    private func abortDagOn(_ line: DAGLine, in scope: DAGScope) throws(JobSpecError) {
        guard line.words.count == 3 || line.words.count == 5 else {
            throw line.error("expected ABORT-DAG-ON NodeName ExitValue [RETURN DAGReturnValue]", atWord: min(line.words.count, 5))
        }
        var condition = DAGAbortCondition(exitValue: try integer(line, word: 2, what: "an ABORT-DAG-ON exit value"))
        if line.words.count == 5 {
            guard line.word(3, is: "RETURN") else { throw line.error("expected RETURN", atWord: 3) }
            condition.returnCode = try integer(line, word: 4, what: "a DAG return value")
        }
        try forEachNode(line, in: scope, allowFinal: false) { $0.abortDagOn = condition }
    }

    private func dot(_ line: DAGLine, in scope: DAGScope) throws(JobSpecError) {
        guard line.words.count >= 2 else { throw line.error("expected DOT filename", atWord: 1) }
        guard scope.isTop else { warn(line, "DOT inside a spliced DAG is ignored, as in DAGMan"); return }
        if line.words.count > 2 {
            warn(line, "DOT options (\(line.rest(fromWord: 2))) are ignored; the file is written once per run")
        }
        dotFile = line.words[1].text
    }

    private func nodeStatusFile(_ line: DAGLine, in scope: DAGScope) throws(JobSpecError) {
        guard (2...4).contains(line.words.count) else {
            throw line.error("expected NODE_STATUS_FILE filename [minimumUpdateTime] [ALWAYS-UPDATE]", atWord: min(line.words.count, 4))
        }
        guard scope.isTop else { warn(line, "NODE_STATUS_FILE inside a spliced DAG is ignored, as in DAGMan"); return }
        var setting = DAGStatusFileSetting(path: line.words[1].text)
        for word in 2..<line.words.count {
            if line.word(word, is: "ALWAYS-UPDATE") {
                setting.alwaysUpdate = true
            } else {
                setting.minimumUpdateSeconds = try integer(line, word: word, what: "a minimum update time in seconds")
            }
        }
        if statusFile != nil { warn(line, "a second NODE_STATUS_FILE does not override the first"); return }
        statusFile = setting
    }
}
