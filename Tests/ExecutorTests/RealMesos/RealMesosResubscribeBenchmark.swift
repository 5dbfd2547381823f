import Foundation
import Testing

/// Not a test: the figure BENCHMARKS.md quotes for resubscription after an agent restart, run by hand with
/// `SIDECAR_BENCH_RESUBSCRIBE=1` (and the real agent of `scripts/mesos-agent.sh`):
///
///     SIDECAR_BENCH_RESUBSCRIBE=1 SIDECAR_BENCH_OLD_BINARY=/path/to/old/sidecar-executor \
///       swift test --skip-build --filter RealMesosResubscribeBenchmark
///
/// N executors of this build and N of `SIDECAR_BENCH_OLD_BINARY` (when given) run live containers under the same
/// agent; the agent is killed with SIGKILL and restarted (default `--executor_reregistration_timeout`, 2 s). From the
/// agent's own log: per executor, the time from the agent starting to wait for its executors to the executor's
/// SUBSCRIBE (p50, p99, max), and how many executors the agent killed for not coming back in time. Prints the table;
/// asserts nothing about time.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["SIDECAR_BENCH_RESUBSCRIBE"] == "1",
        "a benchmark, not a test: set SIDECAR_BENCH_RESUBSCRIBE=1 to run it"))
struct RealMesosResubscribeBenchmark {
    @Test func resubscriptionAfterAnAgentRestart() throws {
        try RealMesosCluster.require()
        let environment = ProcessInfo.processInfo.environment
        let count = Int(environment["SIDECAR_BENCH_EXECUTORS"] ?? "") ?? 100
        var variants = [("this build", RealMesosTask.releaseBinary)]
        if let old = environment["SIDECAR_BENCH_OLD_BINARY"] { variants.append(("old behaviour", old)) }
        let scheduler = try MesosTestScheduler(name: "bench-resubscribe", capabilities: ["TASK_KILLING_STATE"])
        defer { scheduler.close() }
        var groups: [(String, [RealMesosTask])] = []
        for (label, binary) in variants {
            let tasks = (0..<count).map { index -> RealMesosTask in
                var task = RealMesosTask("bench-\(label.prefix(3))-\(index)", command: RealMesosTests.untilUSR1)
                task.environment["SIDECAR_EXECUTOR_PATH"] = binary
                return task
            }
            groups.append((label, tasks))
        }
        // Ten at a time, the variants interleaved, so that the engine is not asked to start two hundred containers at
        // once and both variants see the same conditions.
        let all = (0..<count).flatMap { index in groups.map { $0.1[index] } }
        for slice in stride(from: 0, to: all.count, by: 10) {
            let part = Array(all[slice..<min(all.count, slice + 10)])
            try scheduler.launch(
                cpus: (RealMesosTask.executorCPUs + RealMesosTask.taskCPUs) * Double(part.count),
                mem: (RealMesosTask.executorMem + RealMesosTask.taskMem) * Double(part.count)
            ) { agentID in part.map { $0.taskInfo(agentID: agentID) } }
            _ = scheduler.wait(timeout: 120) { scheduler in
                part.allSatisfy { task in
                    scheduler.updates(of: task.taskID).contains {
                        $0.state == "TASK_RUNNING" || MesosTestScheduler.terminal.contains($0.state)
                    }
                }
            }
        }
        defer { for task in all { task.removeContainers() } }
        // Only executors whose task runs at the restart count.
        let live = Set(
            all.filter { task in
                let states = scheduler.updates(of: task.taskID).map(\.state)
                return states.contains("TASK_RUNNING") && !states.contains { MesosTestScheduler.terminal.contains($0) }
            }.map(\.executorID))
        let loadBefore = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
        let logStart = RealMesosCluster.agentLogLines(containing: " ").count
        try RealMesosCluster.restartAgent()
        _ = RealMesosCluster.waitForAgentLog(timeout: 30) {
            $0.dropFirst(logStart).contains { $0.contains("Finished recovery") }
        }
        let lines = Array(RealMesosCluster.agentLogLines(containing: " ").dropFirst(logStart))
        let waitingStart = try #require(
            lines.first { $0.contains("Waiting for executor") }.flatMap(Self.time), "no 'Waiting for executor' line")
        print(
            "Resubscription after agent kill -9 + restart, \(count) executors per variant; load before: \(loadBefore)")
        print("variant          live   p50 ms   p99 ms   max ms   missing   killed by the agent")
        for (label, launched) in groups {
            let tasks = launched.filter { live.contains($0.executorID) }
            var delays: [Double] = []
            var missing = 0
            for task in tasks {
                let line = lines.first {
                    $0.contains("Received Subscribe request for HTTP executor '\(task.executorID)'")
                }
                if let line, let time = Self.time(line) {
                    delays.append((time - waitingStart) * 1000)
                } else {
                    missing += 1
                }
            }
            let killed = tasks.filter { task in
                lines.contains {
                    $0.contains("Killing un-reregistered executor") && $0.contains("'\(task.executorID)'")
                }
            }.count
            delays.sort()
            func percentile(_ p: Double) -> String {
                guard !delays.isEmpty else { return "-" }
                return String(
                    format: "%.0f", delays[min(delays.count - 1, Int((Double(delays.count) * p).rounded(.up)) - 1)])
            }
            print(
                "\(label.padding(toLength: 16, withPad: " ", startingAt: 0)) \(String(tasks.count).leftPad(4))   "
                    + "\(percentile(0.5).leftPad(6))   "
                    + "\(percentile(0.99).leftPad(6))   \((delays.last.map { String(format: "%.0f", $0) } ?? "-").leftPad(6))   "
                    + "\(String(missing).leftPad(7))   \(killed)")
        }
    }

    /// Seconds since midnight of a glog line (`I1207 04:46:50.366467 ...`).
    static func time(_ line: String) -> Double? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count > 1 else { return nil }
        let parts = fields[1].split(separator: ":")
        guard parts.count == 3, let h = Double(parts[0]), let m = Double(parts[1]), let s = Double(parts[2]) else {
            return nil
        }
        return h * 3600 + m * 60 + s
    }
}

extension String {
    fileprivate func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
