import Foundation
import Simulators
import TestSupport
import Testing

/// A cluster-sized Sidecar state document, polled by the release executor, leaves no megabytes behind in its heap.
///
/// Each poll of a whole cluster's `/state.json` reads a body of a few megabytes. Left to itself, glibc raises its
/// mmap threshold to the size of the first such buffer freed, so the buffers of the following polls came from the
/// heap, and the heap kept about 8 MB resident for the rest of the task. `ProcessControl.configureMalloc` fixes the
/// threshold at start-up; this test would see the heap grow again if it went.
@Suite(.requires(.docker), .requires(.releaseBinary))
struct ExecutorHeapTests {
    /// The resident kB of the `[heap]` mapping in `/proc/<pid>/smaps` (0 when it has none yet).
    static func heapResidentKB(pid: Int32) -> Int {
        let smaps = (try? String(contentsOfFile: "/proc/\(pid)/smaps", encoding: .utf8)) ?? ""
        var inHeap = false
        for line in smaps.split(separator: "\n") {
            if let first = line.first, first.isHexDigit, line.contains(" ") {
                inHeap = line.hasSuffix("[heap]")
            } else if inHeap, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            }
        }
        return 0
    }

    @Test func pollingAClusterSizedStateDocumentLeavesNoHeapBehind() throws {
        if ProgramUnderTest.isSanitizerRun {
            print("skipped: a sanitizer's runtime replaces glibc's malloc in the binary under test")
            return
        }
        let sidecar = try SimulatedSidecar(hostname: "node-a")
        var generator = SeededGenerator(seed: 41)
        // 8,000 services of other hosts: about 2.8 MB of JSON, under the executor's 4 MB limit for the document.
        sidecar.catalog = SidecarCatalog.generated(
            hosts: 160, servicesPerHost: 50, localHost: "node-a", using: &generator)
        let documentBytes = sidecar.stateJSON.utf8.count
        sidecar.start()
        defer { sidecar.stop() }
        let agent = try SimulatedAgent()
        agent.start()
        defer { agent.stop() }
        let executor = try ExecutorProcess(
            agent: agent, name: "heap",
            extra: [
                "EXECUTOR_SIDECAR_URL": "http://127.0.0.1:\(sidecar.port)/state.json",
                "EXECUTOR_SIDECAR_BACKOFF": "0s", "EXECUTOR_SIDECAR_POLL_INTERVAL": "100ms",
            ])
        defer { executor.tearDown() }
        let taskID = "heap-\(DockerTestEngine.uniqueSuffix())"
        defer { DockerTestEngine.removeContainers(taskID: taskID) }
        agent.launch(SimulatedAgentTask(taskID: taskID, image: "local/busybox:latest", command: "sleep 300"))
        try executor.start()
        #expect(eventually(timeout: .seconds(60)) { agent.states(of: taskID).contains("TASK_RUNNING") })
        // Eight polls of the whole document (the task's container is not in it: each poll is "no verdict").
        #expect(sidecar.waitForRequests(count: 8, timeout: .seconds(120)))
        let heapKB = Self.heapResidentKB(pid: executor.process.processIdentifier)
        print("heap: \(heapKB) kB resident after 8 polls of a \(documentBytes)-byte state document")
        #expect(documentBytes > 2_000_000, "the document is cluster-sized")
        #expect(heapKB > 0, "the heap was read")
        #expect(heapKB < 2048, "the heap kept \(heapKB) kB after polls of a \(documentBytes)-byte document")
        #expect(agent.kill(taskID: taskID, gracePeriod: .seconds(1)))
        #expect(executor.waitForExit(timeout: .seconds(30)) == 0)
    }
}
