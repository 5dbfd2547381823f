import EventLoop
import Foundation
import Simulators
import Testing

@testable import Executor

/// The release executor against a reader of its output that does not keep up: container output and the UDP relay
/// never hold up a status update or grow the executor's memory past a bound.
@Suite(.serialized, .requires(.docker), .requires(.releaseBinary))
struct OutputBackpressureProcessTests {
    static let line = "the quick brown fox jumps over the lazy dog, again and again and again, to fill a line."
    /// 50 MB of whole lines (89 bytes each) on the container's stdout, then exit 0.
    static let floodCommand = "yes '\(line)' | head -n 590000"
    /// A generous bound on the executor's resident set while the flood lasts (it idles at about 6 MB).
    static let residentBoundKilobytes = 40_000

    final class Run: @unchecked Sendable {
        let agent: SimulatedAgent
        let executor: ExecutorProcess
        let taskID: String
        var maxResident = 0

        init(name: String, extra: [String: String], command: String) throws {
            _ = try DockerTestEngine.require()
            agent = try SimulatedAgent()
            agent.start()
            executor = try ExecutorProcess(
                agent: agent, name: name, extra: extra.merging(Self.boundedQuarantine) { $1 })
            executor.process.executableURL = try ReleaseExecutor.require()
            taskID = "\(name)-\(DockerTestEngine.uniqueSuffix())"
            var task = SimulatedAgentTask(taskID: taskID, command: command)
            task.labels = [("SidecarDiscover", "false")]
            agent.launch(task)
        }

        /// Under AddressSanitizer (scripts/sanitizers.sh), the executor of these tests runs without ASan's quarantine:
        /// the quarantine keeps up to 256 MB of freed memory from reuse on purpose, so the 50 MB that pass through
        /// would fill it and the bound would measure ASan, not the executor's buffers. Every other test keeps it.
        static var boundedQuarantine: [String: String] {
            guard let options = ProcessInfo.processInfo.environment["ASAN_OPTIONS"] else { return [:] }
            return ["ASAN_OPTIONS": options + ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0"]
        }

        /// Samples VmRSS until `condition` holds (or `timeout`); returns whether it held.
        func watch(timeout: Duration, until condition: () -> Bool) -> Bool {
            eventually(timeout: timeout) {
                if let resident = ReleaseExecutor.residentKilobytes(executor.process.processIdentifier) {
                    maxResident = max(maxResident, resident)
                }
                return condition()
            }
        }

        var terminalAcknowledged: Bool {
            agent.states(of: taskID).contains("TASK_FINISHED") && agent.acknowledgedEverything(of: taskID)
        }

        func tearDown() {
            executor.tearDown()
            agent.stop()
            DockerTestEngine.removeContainers(taskID: taskID)
        }
    }

    @Test func aStalledStdoutReaderHoldsUpNoUpdateAndCostsOnlyDroppedLines() throws {
        let run = try Run(name: "stalled-reader", extra: [:], command: Self.floodCommand)
        defer { run.tearDown() }
        let stdout = Pipe()
        run.executor.process.standardOutput = stdout
        try run.executor.start()
        // The reader stalls (reads nothing at all) until the terminal update is acknowledged: the task's whole life
        // (50 MB of output, the exit, the updates and their acknowledgements) fits inside the stall. An executor that
        // waited for its reader would never get there; the 120 s limit only ends such a run (it is no performance
        // bound: under load the flood alone can take tens of seconds).
        let acknowledgedWhileStalled = run.watch(timeout: .seconds(120)) { run.terminalAcknowledged }
        let stalledResident = run.maxResident
        #expect(acknowledgedWhileStalled, "the terminal update was acknowledged while the reader was stalled")
        #expect(run.agent.states(of: run.taskID) == ["TASK_STARTING", "TASK_RUNNING", "TASK_FINISHED"])
        #expect(stalledResident > 0 && stalledResident < Self.residentBoundKilobytes, "VmRSS \(stalledResident) kB")
        print(
            "[figure] executor VmRSS while the stdout reader stalled and the container wrote 50 MB: max \(stalledResident) kB"
        )

        // The reader resumes: it gets whole lines only, and the executor exits 0 having logged the count.
        let reader = stdout.fileHandleForReading
        var received = Data()
        let exited = run.watch(timeout: .seconds(60)) {
            received += reader.availableData
            return !run.executor.process.isRunning
        }
        #expect(exited)
        received += reader.availableData
        #expect(run.executor.waitForExit(timeout: .seconds(5)) == 0)
        let lines = received.split(separator: 10)
        #expect(!lines.isEmpty && received.count < 52_428_800, "some lines arrived, most were dropped")
        let line = Data(Self.line.utf8)
        // The last line may be cut: when the executor exits, the engine may still be streaming the output (under
        // load the stream lags behind the exit), and the stream ends wherever it was. Every other line is whole.
        #expect(lines.last.map { line.starts(with: $0) } == true)
        let bad = lines.dropLast().enumerated().filter { $0.element != line }
        #expect(
            bad.isEmpty,
            "only whole lines reach the reader: \(bad.count) of \(lines.count), at \(bad.prefix(3).map { ($0.offset, String(decoding: $0.element.prefix(120), as: UTF8.self)) })"
        )
        let stderr = run.executor.stderr
        #expect(stderr.contains("The reader of stdout is slower than the output"))
        #expect(stderr.contains("line(s) of stdout were dropped while its reader was behind"))
    }

    @Test func aRelayToAPortNobodyReadsHoldsUpNothing() throws {
        let listener = try UDPListener()
        let port = listener.port
        listener.close()  // nobody reads that port now: every datagram is refused or lost
        let run = try Run(
            name: "relay-nobody",
            extra: ["EXECUTOR_RELAY_SYSLOG": "true", "EXECUTOR_SYSLOG_ADDR": "127.0.0.1:\(port)"],
            command: Self.floodCommand)
        defer { run.tearDown() }
        try run.executor.start()
        #expect(run.watch(timeout: .seconds(120)) { run.terminalAcknowledged })
        #expect(run.agent.states(of: run.taskID) == ["TASK_STARTING", "TASK_RUNNING", "TASK_FINISHED"])
        // The exit follows the removal of the container; under load or a sanitizer the relay of the 50 MB still in
        // the log stream can take a while (the bound only ends a run that never exits, like every event wait here).
        #expect(run.watch(timeout: .seconds(120)) { !run.executor.process.isRunning })
        #expect(run.executor.waitForExit(timeout: .seconds(5)) == 0)
        #expect(run.maxResident > 0 && run.maxResident < Self.residentBoundKilobytes, "VmRSS \(run.maxResident) kB")
        print("[figure] executor VmRSS while relaying 50 MB to a UDP port nobody reads: max \(run.maxResident) kB")
        let stderr = run.executor.stderr
        #expect(stderr.contains("The log relay could not send a record to 127.0.0.1:\(port)"))
        let summary = stderr.split(separator: "\n").first { $0.contains("The log relay sent") }
        #expect(summary?.contains("could not be sent") == true, "\(String(describing: summary))")
        #expect(summary?.contains("; 0 could not be sent") == false, "refused datagrams are counted")
    }

    @Test func theProcessTitleNamesTheContainerAndImage() throws {
        let run = try Run(name: "title", extra: [:], command: "sleep 300")
        defer { run.tearDown() }
        // Room for the whole title: the original's wrapper passed `-logtostderr=true` and a run of spaces.
        run.executor.process.arguments = ["-logtostderr=true", String(repeating: " ", count: 40)]
        try run.executor.start()
        #expect(eventually(timeout: .seconds(60)) { run.agent.states(of: run.taskID).contains("TASK_RUNNING") })
        let running = run.agent.updates.last { $0["state"]?.stringValue == "TASK_RUNNING" }
        let containerID = running?["labels"]?["labels"]?.arrayValue?.first { $0["key"] == "docker_id" }?["value"]?
            .stringValue
        let id12 = String(try #require(containerID, "the RUNNING update names the container").prefix(12))
        let expected = "sidecar-executor \(id12) (local/busybox:latest)"
        let pid = run.executor.process.processIdentifier
        let cmdline = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))
        #expect(String(decoding: cmdline.split(separator: 0).first ?? Data(), as: UTF8.self) == expected)
        #expect(cmdline.split(separator: 0).count == 1, "the rest of the area is zeroed")
        let ps = try DockerTestEngine.run(["/usr/bin/ps", "-o", "args=", "-p", "\(pid)"])
        #expect(ps.output.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
        #expect(run.agent.kill(taskID: run.taskID, gracePeriod: .seconds(1)))
        #expect(run.executor.waitForExit(timeout: .seconds(30)) == 0)
    }
}
