import EventLoop
import Foundation
import Simulators
import TestSupport
import Testing

/// An https EXECUTOR_SIDECAR_URL: the real binary polls Sidecar and asks it to drain over TLS (the simulated Sidecar
/// behind a real TLS server with the test CA's certificate, trusted through OpenSSL's SSL_CERT_FILE).
struct SidecarHTTPSEndToEndTests {
    @Test func pollsAndDrainsGoOverTLS() throws {
        let sidecar = try SimulatedSidecar(hostname: "node-a")
        sidecar.start()
        defer { sidecar.stop() }
        let terminator = try TLSTerminator(
            certificate: TestCertificates.path("server.pem"), key: TestCertificates.path("server-key.pem"),
            backendPort: sidecar.port)
        terminator.start()
        defer { terminator.stop() }
        let agent = try SimulatedAgent()
        agent.start()
        defer { agent.stop() }
        let executor = try ExecutorProcess(
            agent: agent, name: "https-sidecar",
            extra: [
                "EXECUTOR_SIDECAR_URL": "https://localhost:\(terminator.port)/state.json",
                "SSL_CERT_FILE": TestCertificates.path("ca.pem"), "EXECUTOR_SIDECAR_BACKOFF": "0s",
                "EXECUTOR_SIDECAR_POLL_INTERVAL": "1s", "EXECUTOR_SIDECAR_DRAINING_DURATION": "100ms",
            ])
        defer { executor.tearDown() }
        let taskID = "https-sidecar-\(DockerTestEngine.uniqueSuffix())"
        defer { DockerTestEngine.removeContainers(taskID: taskID) }
        agent.launch(SimulatedAgentTask(taskID: taskID, image: "local/busybox:latest", command: "sleep 300"))
        try executor.start()
        #expect(eventually(timeout: .seconds(60)) { sidecar.requests.contains { $0.method == "GET" } }, "no poll")
        #expect(agent.kill(taskID: taskID, gracePeriod: .seconds(1)))
        #expect(executor.waitForExit(timeout: .seconds(30)) == 0)
        #expect(sidecar.requests.contains { $0.method == "POST" && $0.path.hasSuffix("/drain") }, "no drain")
        #expect(terminator.failedHandshakeCount == 0)
        #expect(!executor.stderr.contains("TLS"), "\(executor.stderr)")
    }
}
