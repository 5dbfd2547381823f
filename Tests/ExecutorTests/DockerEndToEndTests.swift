import Dispatch
import EventLoop
import Foundation
import Testing

@testable import Executor

/// The supervisor and DockerClient against the project's private Docker engine (scripts/docker-engine.sh). These
/// fail when the engine is missing; only the bridge-network cases skip, with a printed reason, under the
/// restricted profile.
@Suite(.serialized)
struct DockerEndToEndTests {
    @Test func aContainerThatSucceedsFinishesAndIsRemovedAfterTheAck() throws {
        let run = try DockerEndToEndRun(name: "finish")
        defer { run.tearDown() }
        run.launch(run.taskInfo(shell: "echo out-$MESOS_TASK_ID; echo err-line >&2; test -d /mnt/mesos/sandbox"))
        #expect(run.waitFor())
        #expect(run.states == [.starting, .running, .finished])
        let running = run.updates[1]
        let containerID = try #require(running.labels.first { $0.key == "docker_id" }?.value)
        #expect(running.message == "Container \(containerID.prefix(12)) started")
        #expect(run.updates.last?.message == "Container exited with status 0")
        #expect(DockerTestEngine.waitUntil(run.loop) { run.logs.stderr == Array("err-line\n".utf8) })
        #expect(run.stdout == "out-\(run.taskID)\n")
        let inspect = try #require(try DockerTestEngine.inspect(containerID))
        #expect(inspect["Name"]?.stringValue == "/" + ContainerName.forTask(id: run.taskID))
        run.acknowledgeTerminalUpdate()
        #expect(DockerTestEngine.waitUntil(run.loop) { run.finished })
        #expect(try DockerTestEngine.inspect(containerID) == nil)
        if let latency = run.waitToTerminal {
            print("[figure] wait answer -> terminal update at the reporter: \(latency)")
        }
    }

    @Test func exitCodeThreeFailsTheTask() throws {
        let run = try DockerEndToEndRun(name: "exit3")
        defer { run.tearDown() }
        run.launch(run.taskInfo(shell: "exit 3"))
        #expect(run.waitFor())
        #expect(run.states == [.starting, .running, .failed])
        #expect(run.updates.last?.message == "Container exited with status 3")
    }
}
