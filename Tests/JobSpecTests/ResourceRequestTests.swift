import Foundation
import XCTest
@testable import JobSpec

/// Each format's per-task request (cores, memory, GPUs) and where it was written, and the
/// refusal of a request no host can hold (issue 13).
final class ResourceRequestTests: XCTestCase {
    func testSlurmGresGpusAndTheirLines() throws {
        let job = try SlurmScript(text: """
            #!/bin/sh
            #SBATCH --array=0-1
            #SBATCH -c 4
            #SBATCH --mem-per-cpu=1G
            #SBATCH --gres=gpu:a100:2,gpu:1
            prog
            """, file: "g.slurm", options: testOptions()).job
        let task = job.tasks[0]
        XCTAssertEqual(ResourceRequest(task), ResourceRequest(cores: 4, memoryMiB: 4096, gpus: 3),
                       "gres gpu entries add up; --mem-per-cpu is per core")
        XCTAssertEqual(task.requestLines?.cores?.line, 3)
        XCTAssertEqual(task.requestLines?.memory?.line, 4)
        XCTAssertEqual(task.requestLines?.gpus?.line, 5)
        XCTAssertTrue(job.warnings.isEmpty, "GPU requests are honoured, not warned: \(job.warnings)")

        var options = testOptions()
        options.batchOptions = ["--gpus-per-task=1"]
        let overridden = try SlurmScript(text: "#!/bin/sh\n#SBATCH --gres=gpu:4\nprog\n", file: "g.slurm", options: options).job
        XCTAssertEqual(overridden.tasks[0].gpus, 1, "the command line wins")
        XCTAssertEqual(overridden.tasks[0].requestLines?.gpus?.file, "<command line>")
    }

    func testPBSSelectNgpusAndTorqueGpus() throws {
        let pro = try PBSScript(text: "#!/bin/sh\n#PBS -l select=1:ncpus=2:mem=2gb:ngpus=2\nprog\n", file: "p.pbs",
                                options: testOptions()).job
        XCTAssertEqual(ResourceRequest(pro.tasks[0]), ResourceRequest(cores: 2, memoryMiB: 2048, gpus: 2))
        XCTAssertEqual(pro.tasks[0].requestLines?.gpus?.line, 2)
        let torque = try PBSScript(text: "#!/bin/sh\n#PBS -l nodes=1:ppn=3:gpus=1\nprog\n", file: "t.pbs",
                                   options: testOptions()).job
        XCTAssertEqual(ResourceRequest(torque.tasks[0]), ResourceRequest(cores: 3, gpus: 1))
    }

    func testHTCondorRequestGpusWithAnExpressionAndTheLines() throws {
        let job = try SubmitDescription(text: """
            executable = /bin/true
            request_cpus = 2
            request_memory = 1 GB
            request_gpus = 1 + 1
            queue
            """, file: "g.sub", options: testOptions()).job
        let task = job.task(at: 0)
        XCTAssertEqual(ResourceRequest(task), ResourceRequest(cores: 2, memoryMiB: 1024, gpus: 2))
        XCTAssertEqual(task.requestLines?.cores?.line, 2)
        XCTAssertEqual(task.requestLines?.gpus?.line, 4)
        XCTAssertFalse(job.warnings.contains { $0.message.contains("request_gpus") }, "\(job.warnings)")
    }

    func testTaskListDirectivesSetTheRequestOfTheTasksAfterThem() throws {
        let list = try TaskList(text: """
            a
            #TASKFARM RESOURCES cpus=2 memory=4G gpus=1
            b
            # a comment
            c
            #TASKFARM RESOURCES mem=500M
            d
            #taskfarm resources
            e
            """, file: "t.txt")
        list.defaultRequest = TaskListResources(cores: 3)
        let requests = (0..<list.taskCount).map { ResourceRequest(list.task(at: $0)) }
        XCTAssertEqual(requests, [ResourceRequest(cores: 3), ResourceRequest(cores: 2, memoryMiB: 4096, gpus: 1),
                                  ResourceRequest(cores: 2, memoryMiB: 4096, gpus: 1),
                                  ResourceRequest(cores: 3, memoryMiB: 500), ResourceRequest(cores: 3)])
        XCTAssertEqual(list.task(at: 1).requestLines?.gpus?.line, 2, "the directive's line")
        XCTAssertEqual(list.requestSegmentStarts, [0, 1, 3, 4])
        XCTAssertEqual(list.task(at: 1).arrayIndex, 1, "directive lines are not tasks")
    }

    /// A task list answers the scheduler's placement questions without building its tasks;
    /// the answers must be those read from the built task, with and without directives and
    /// a command-line request, gpus=0 included (no GPUs, as the task says).
    func testTaskListPlacementNeedsAreThoseOfItsTasks() throws {
        let text = """
            ./prog a=1
            #TASKFARM RESOURCES cpus=2 memory=4G gpus=1
            echo "b"
            #TASKFARM RESOURCES gpus=0 mem=500M
            d | e
            #taskfarm resources
            f
            """
        for defaults in [TaskListResources(), TaskListResources(cores: 3), TaskListResources(memoryMiB: 100, gpus: 2)] {
            let list = try TaskList(text: text, file: "t.txt")
            list.defaultRequest = defaults
            XCTAssertEqual(list.taskCount, 4)
            for position in 0..<list.taskCount {
                XCTAssertEqual(list.placementNeeds(of: position), TaskPlacementNeeds(list.task(at: position)),
                               "task \(position) with \(defaults)")
            }
        }
        let shown = try TaskList(text: text, file: "t.txt")
        XCTAssertEqual(shown.placementNeeds(of: 1),
                       TaskPlacementNeeds(slots: 2, request: ResourceRequest(cores: 2, memoryMiB: 4096, gpus: 1), maxRetries: nil))
    }

    func testABadTaskListDirectiveNamesItsLine() {
        let error = expectError { () throws(JobSpecError) in _ = try TaskList(text: "a\n#TASKFARM RESOURCES cpu=2\n", file: "t.txt") }
        XCTAssertEqual(error?.location.line, 2)
        XCTAssertTrue(error?.message.contains("did you mean cpus?") ?? false, "\(String(describing: error))")
        let zero = expectError { () throws(JobSpecError) in _ = try TaskList(text: "#TASKFARM RESOURCES cpus=0\na\n", file: "t.txt") }
        XCTAssertEqual(zero?.location.line, 1)
    }

    func testTheFirstRefusalOfAJobNamesTheLineAndTheLargestHost() throws {
        let job = try SubmitDescription(text: """
            executable = /bin/true
            request_cpus = 64
            queue 3
            """, file: "big.sub", options: testOptions()).job
        let hosts = [HostCapacity(host: "n1", pool: ResourceRequest(cores: 2, memoryMiB: 1000)),
                     HostCapacity(host: "n2", pool: ResourceRequest(cores: 8, memoryMiB: 1000))]
        let refusal = HostCapacity.firstRefusal(in: job, hosts: hosts)
        XCTAssertEqual(refusal?.location.file, "big.sub")
        XCTAssertEqual(refusal?.location.line, 2)
        XCTAssertTrue(refusal?.message.contains("64 cores, and the largest host, n2, has 8") ?? false,
                      "\(String(describing: refusal))")
        let gpus = HostCapacity.refusal(of: TaskSpec(position: 0, arrayIndex: 0, command: .argv(["x"]),
                                                     source: SourceLocation(file: "x", line: 1)).withGPUs(1),
                                        hosts: hosts)
        XCTAssertTrue(gpus?.message.contains("has none") ?? false, "\(String(describing: gpus))")
        XCTAssertNil(HostCapacity.firstRefusal(in: job, hosts: [HostCapacity(host: "big", pool: ResourceRequest(cores: 64))]))
    }

    func testMixedRequestsFitOnlyWhenOneHostHasAllOfIt() {
        let task = TaskSpec(position: 0, arrayIndex: 0, command: .argv(["x"]), slots: 4, memoryMiB: 100,
                            source: SourceLocation(file: "x", line: 1)).withGPUs(1)
        let split = [HostCapacity(host: "cpu", pool: ResourceRequest(cores: 8, memoryMiB: 1000)),
                     HostCapacity(host: "gpu", pool: ResourceRequest(cores: 2, memoryMiB: 1000, gpus: 4))]
        XCTAssertNotNil(HostCapacity.refusal(of: task, hosts: split), "cores on one host, GPUs on another")
    }
}

extension TaskSpec {
    func withGPUs(_ count: Int) -> TaskSpec {
        var copy = self
        copy.gpus = count
        return copy
    }
}
