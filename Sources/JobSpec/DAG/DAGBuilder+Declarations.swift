/// `JOB`, `FINAL` and `SPLICE`: the statements that create nodes.
///
/// Source: HTCondor manual, DAGMan Quick Reference (`JOB NodeName SubmitDescription [DIR
/// directory] [NOOP] [DONE]`, `FINAL NodeName SubmitDescription [DIR directory] [NOOP]`,
/// `SPLICE SpliceName DagFileName [DIR directory]`).
extension DAGBuilder {
    func declare(_ line: DAGLine, in scope: inout DAGScope) throws(JobSpecError) {
        switch line.keyword {
        case "JOB": try declareNode(line, isFinal: false, in: &scope)
        case "FINAL": try declareNode(line, isFinal: true, in: &scope)
        case "SUBDAG":
            // `SUBDAG EXTERNAL name file ...` is a node whose job is a DAG: read it as a JOB
            // line, columns kept, and mark it.
            guard line.word(1, is: "EXTERNAL") else {
                throw line.error("expected SUBDAG EXTERNAL NodeName DagFile [DIR directory] [NOOP] [DONE]", atWord: 1)
            }
            let start = line.text.utf8.index(line.text.utf8.startIndex, offsetBy: line.words[1].column - 1 + 8)
            let padding = String(repeating: " ", count: line.words[1].column - 1 + 8 - 3)
            let asJob = DAGLine(file: line.location.file, number: line.location.line,
                                text: Substring("JOB" + padding + line.text[start...]))
            try declareNode(asJob, isFinal: false, in: &scope)
            nodes[nodes.count - 1].isSubDAG = true
        default: try declareSplice(line, in: &scope)
        }
    }

    /// Checks a node or splice name: literal, never a macro, never a reserved word.
    func checkDeclaredName(_ line: DAGLine, word: Int) throws(JobSpecError) -> String {
        let name = line.words[word].text
        if name.utf8.contains(UInt8(ascii: "$")), name.contains("$(") {
            throw line.error("node name \(name) holds a macro; node names are taken literally and may not contain $(", atWord: word)
        }
        if line.word(word, is: "ALL_NODES") {
            throw line.error("ALL_NODES is reserved and cannot name a node or splice", atWord: word)
        }
        return name
    }

    private func declareNode(_ line: DAGLine, isFinal: Bool, in scope: inout DAGScope) throws(JobSpecError) {
        let keyword = isFinal ? "FINAL" : "JOB"
        guard line.words.count >= 3 else {
            throw line.error("expected \(keyword) NodeName SubmitFile [DIR directory] [NOOP]\(isFinal ? "" : " [DONE]")",
                             atWord: line.words.count)
        }
        let local = try checkDeclaredName(line, word: 1)
        let name = scope.scoped(local)
        // One hash per node: claim the name now; a later error ends the parse anyway.
        if let existing = index.updateValue(Int32(nodes.count), forKey: name) {
            throw line.error("duplicate node name \(name); first declared at \(nodes[Int(existing)].source)", atWord: 1)
        }
        if !scope.splices.isEmpty, scope.splices[local] != nil {
            throw line.error("node name \(local) is already the name of a splice in this file", atWord: 1)
        }
        if isFinal {
            if !scope.isTop {
                throw line.error("FINAL is not allowed in a spliced DAG; put the FINAL node in the top-level DAG", atWord: 0)
            }
            if let other = nodes.first(where: \.isFinal) {
                throw line.error("a DAG has at most one FINAL node; \(other.name) was declared at \(other.source)", atWord: 0)
            }
        }
        var node = DAGNode(name: name, submitFile: line.words[2].text, directory: scope.directory,
                           isFinal: isFinal, source: line.location)
        var word = 3
        while word < line.words.count {
            switch DAGLine.upperASCII(line.words[word].text) {
            case "DIR":
                guard word + 1 < line.words.count else { throw line.error("expected a directory after DIR", atWord: word + 1) }
                node.directory = DAGPaths.join(scope.directory, line.words[word + 1].text)
                word += 2
            case "NOOP":
                node.noop = true
                word += 1
            case "DONE" where !isFinal:
                node.done = true
                word += 1
            default:
                throw line.error("unexpected '\(line.words[word].text)'; expected DIR directory, NOOP\(isFinal ? "" : " or DONE")",
                                 atWord: word)
            }
        }
        if checkSubmitFiles, !node.noop {
            let path = DAGPaths.join(workingDirectory, DAGPaths.join(node.directory, node.submitFile))
            if !DAGPaths.isFile(path) {
                missingSubmitFiles.append((nodes.count, line.error(
                    "submit file \(DAGPaths.join(node.directory, node.submitFile)) of node \(name) does not exist",
                    atWord: 2)))
            }
        }
        scope.ownNodes.append(nodes.count)
        nodes.append(node)
    }

    private func declareSplice(_ line: DAGLine, in scope: inout DAGScope) throws(JobSpecError) {
        guard line.words.count == 3 || (line.words.count == 5 && line.word(3, is: "DIR")) else {
            throw line.error("expected SPLICE SpliceName DagFile [DIR directory]", atWord: min(line.words.count, 3))
        }
        let local = try checkDeclaredName(line, word: 1)
        if scope.splices[local] != nil || index[scope.scoped(local)] != nil {
            throw line.error("duplicate splice name \(local); each splice needs its own name", atWord: 1)
        }
        let directory = line.words.count == 5 ? DAGPaths.join(scope.directory, line.words[4].text) : scope.directory
        let path = DAGPaths.join(directory, line.words[2].text)
        let text = try DAGPaths.read(DAGPaths.join(workingDirectory, path), displayName: path,
                                     what: "spliced DAG file", referencedAt: line.location(ofWord: 2))
        let inner = DAGScope(prefix: scope.prefix + local + "+", directory: directory, isTop: false)
        scope.splices[local] = try parseScope(text: text, file: path, scope: inner)
    }
}
