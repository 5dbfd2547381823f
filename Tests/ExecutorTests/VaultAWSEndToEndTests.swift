import EventLoop
import Foundation
import Simulators
import TestSupport
import Testing

@testable import Executor

/// EXECUTOR_AWS_ROLE end to end: the real binary, the simulated Vault over TLS and the real engine.
@Suite(.serialized) struct VaultAWSEndToEndTests {
    private static let password = "pw-\(DockerTestEngine.uniqueSuffix())"

    private struct Run {
        var env: [String] = []
        var states: [String] = []
        var exitStatus: Int32?
        var log = ""
        var lastMessage = ""
    }

    private func run(_ name: String, vault: SimulatedVault, extra: [String: String], killAfterInspect: Bool) throws
        -> Run
    {
        let agent = try SimulatedAgent()
        agent.start()
        defer { agent.stop() }
        var environment = [
            "VAULT_ADDR": vault.address, "VAULT_CACERT": TestCertificates.path("ca.pem"),
            "VAULT_USERNAME": "executor", "VAULT_PASSWORD": Self.password, "EXECUTOR_AWS_ROLE": "app",
        ]
        environment.merge(extra) { $1 }
        let executor = try ExecutorProcess(agent: agent, name: name, extra: environment)
        defer { executor.tearDown() }
        let taskID = "aws-\(name)-\(DockerTestEngine.uniqueSuffix())"
        defer { DockerTestEngine.removeContainers(taskID: taskID) }
        var task = SimulatedAgentTask(taskID: taskID, image: "local/busybox:latest", command: "sleep 300")
        task.labels = [("SidecarDiscover", "false")]
        agent.launch(task)
        try executor.start()
        var outcome = Run()
        #expect(eventually(timeout: .seconds(60)) { agent.states(of: taskID).contains("TASK_RUNNING") })
        if let container = try DockerTestEngine.inspect(ContainerName.forTask(id: taskID)) {
            outcome.env = container["Config"]?["Env"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        if killAfterInspect { #expect(agent.kill(taskID: taskID, gracePeriod: .seconds(1))) }
        outcome.exitStatus = executor.waitForExit(timeout: .seconds(60))
        outcome.states = agent.states(of: taskID)
        outcome.lastMessage = agent.lastUpdate(of: taskID)?["message"]?.stringValue ?? ""
        outcome.log = executor.stderr
        return outcome
    }

    private func makeVault(leaseSeconds: Int, maxTTL: Int = 2_764_800) throws -> SimulatedVault {
        let vault = try SimulatedVault(
            certificate: TestCertificates.path("server.pem"), key: TestCertificates.path("server-key.pem"))
        vault.configure {
            $0.users["executor"] = Self.password
            $0.awsRoles["app"] = leaseSeconds
            $0.maxTTL = maxTTL
        }
        vault.start()
        return vault
    }

    @Test func credentialsReachTheContainerAndTheLeaseAndTokenAreRevokedAtExit() throws {
        let vault = try makeVault(leaseSeconds: 3600)
        defer { vault.stop() }
        let outcome = try run("creds", vault: vault, extra: [:], killAfterInspect: true)
        #expect(outcome.env.contains("AWS_ACCESS_KEY_ID=AKIA-SIM-2"), "\(outcome.env)")
        #expect(outcome.env.contains("AWS_SECRET_ACCESS_KEY=aws-secret-2"))
        #expect(outcome.env.contains("AWS_SESSION_TOKEN=aws-session-2"), "security_token is passed on (a difference)")
        #expect(outcome.exitStatus == 0)
        let calls = vault.recordedCalls
        let renewal = try #require(calls.first { $0.path == "auth/token/renew" })
        #expect(renewal.body.contains("\"increment\":4200"), "role TTL default 3600 + 600: \(renewal.body)")
        #expect(!calls.contains { $0.path == "sys/leases/renew" }, "no EXECUTOR_AWS_ROLE_TTL: no lease renewal")
        let paths = calls.map { "\($0.method) \($0.path) \($0.status)" }
        #expect(paths.suffix(2) == ["PUT sys/leases/revoke 204", "POST auth/token/revoke-self 204"], "\(paths)")
        #expect(vault.currentState.leases.values.allSatisfy { $0.revoked })
        for secret in ["aws-secret-2", "aws-session-2", Self.password] {
            #expect(!outcome.log.contains(secret))
        }
    }

    @Test func theLeaseIsRenewedAndTheTaskStopsCleanlyBeforeItEnds() throws {
        // The role's TTL (10 min) asks for 960 s; Vault caps the lease at 362 s, so the stop comes 2 s in.
        let vault = try makeVault(leaseSeconds: 3600, maxTTL: 362)
        defer { vault.stop() }
        let outcome = try run(
            "leaseend", vault: vault, extra: ["EXECUTOR_AWS_ROLE_TTL": "10m"], killAfterInspect: false)
        let renewal = try #require(vault.recordedCalls.first { $0.path == "sys/leases/renew" })
        #expect(renewal.body.contains("\"increment\":960"), "\(renewal.body)")
        #expect(outcome.exitStatus == 0, "a clean stop exits 0")
        #expect(outcome.states.last == "TASK_KILLED", "\(outcome.states)")
        #expect(
            outcome.lastMessage.hasPrefix(
                "Container stopped because the lease of its AWS credentials (Vault role app) ends in 360 s, when they "
                    + "stop working"), "\(outcome.lastMessage)")
        #expect(outcome.log.contains("lease for role app ends in 360 s: stopping the task"))
        #expect(vault.recordedCalls.contains { $0.path == "sys/leases/revoke" && $0.status == 204 })
    }
}
