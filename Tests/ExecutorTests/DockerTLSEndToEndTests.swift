import EventLoop
import Foundation
import Simulators
import TestSupport
import Testing

/// The real binary reaching the private engine over TLS as the Docker CLI would (DOCKER_HOST=tcp://…,
/// DOCKER_TLS_VERIFY, DOCKER_CERT_PATH): the engine runs with --tlsverify on 127.0.0.1 with the test certificates
/// (scripts/docker-engine.sh with ENGINE_TLS_CERTS, as scripts/test.sh starts it).
@Suite(.serialized) struct DockerTLSEndToEndTests {
    private func tlsHost() throws -> String {
        try #require(
            DockerTestEngine.environment["DOCKER_TEST_TLS_HOST"],
            "the engine was started without ENGINE_TLS_CERTS (scripts/test.sh sets it), so it has no TLS port")
    }

    private func runTask(_ name: String, certPath: String, expect: String) throws -> (String?, String) {
        let agent = try SimulatedAgent()
        agent.start()
        defer { agent.stop() }
        let executor = try ExecutorProcess(
            agent: agent, name: name,
            extra: ["DOCKER_HOST": try tlsHost(), "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certPath])
        defer { executor.tearDown() }
        let taskID = "tls-\(name)-\(DockerTestEngine.uniqueSuffix())"
        defer { DockerTestEngine.removeContainers(taskID: taskID) }
        var task = SimulatedAgentTask(taskID: taskID, image: "local/busybox:latest", command: "sleep 300")
        task.labels = [("SidecarDiscover", "false")]
        agent.launch(task)
        try executor.start()
        #expect(eventually(timeout: .seconds(60)) { agent.states(of: taskID).contains(expect) }, "\(executor.stderr)")
        if expect == "TASK_RUNNING" {
            #expect(agent.kill(taskID: taskID, gracePeriod: .seconds(1)))
        }
        #expect(executor.waitForExit(timeout: .seconds(30)) == 0)
        return (
            agent.lastUpdate(of: taskID)?["state"]?.stringValue,
            agent.lastUpdate(of: taskID)?["message"]?.stringValue ?? ""
        )
    }

    @Test func aTaskRunsOverTLSWithTheCLIsCertificates() throws {
        let (state, _) = try runTask("ok", certPath: TestCertificates.path("docker"), expect: "TASK_RUNNING")
        #expect(state == "TASK_KILLED")
    }

    @Test func aWrongCAFailsTheTaskWithAClearMessage() throws {
        let directory = try ProgramUnderTest.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (source, target) in [("other-ca.pem", "ca.pem"), ("client.pem", "cert.pem"), ("client-key.pem", "key.pem")]
        {
            try FileManager.default.copyItem(atPath: TestCertificates.path(source), toPath: directory + "/" + target)
        }
        let (state, message) = try runTask("badca", certPath: directory, expect: "TASK_FAILED")
        #expect(state == "TASK_FAILED")
        #expect(message.contains("not signed by a trusted certificate authority (unknown CA"), "\(message)")
    }
}
