import EventLoop
import Foundation
import Testing

@testable import Executor

/// The real executor binary runs its event loop on the main thread (`MainThreadRunLoop`): besides it, only Dispatch's
/// own event thread exists, whatever the executor does: subscribing, launching, polling timers, its updates and ACKs.
@Suite(.requires(.docker), .requires(.releaseBinary))
struct ExecutorThreadTests {
    @Test func aRunningExecutorHasTwoThreads() throws {
        if ProgramUnderTest.isSanitizerRun {
            print("skipped: a sanitizer's runtime adds threads of its own to the binary under test")
            return
        }
        let run = try ReliabilitySignalTests.Run("threads", signal: .terminate)
        defer { run.tearDown() }
        try run.launch("trap 'exit 0' TERM; sleep 300 & wait")
        #expect(eventually(timeout: .seconds(120)) { run.agent.states(of: run.taskID).contains("TASK_RUNNING") })
        let pid = run.executor.process.processIdentifier
        var counts: [Int] = []
        for _ in 0..<10 {
            let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
            counts.append(tasks.count)
            usleep(100_000)
        }
        #expect(counts.allSatisfy { $0 == 2 }, "threads seen: \(counts)")
        run.executor.signal(.terminate)
        #expect(run.exitStatus() == 0)
    }
}
