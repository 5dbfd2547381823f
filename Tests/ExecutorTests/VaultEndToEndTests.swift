import EventLoop
import Foundation
import Simulators
import TestSupport
import Testing

@testable import Executor

/// The real binary against the simulated Vault over TLS (test CA) and the real engine: `vault://` values resolved
/// into the container, the token rules (userpass login, token file reuse, expiry), and every way a secret can fail
/// to resolve ending TASK_FAILED with a message naming the variable.
@Suite(.serialized) struct VaultEndToEndTests {
    private static let password = "pw-\(DockerTestEngine.uniqueSuffix())"

    private func makeVault(certificate: String = "server.pem", key: String = "server-key.pem") throws -> SimulatedVault
    {
        let vault = try SimulatedVault(
            certificate: TestCertificates.path(certificate), key: TestCertificates.path(key))
        vault.configure {
            $0.users["executor"] = Self.password
            $0.secrets["secret/db"] = ["password": .string("db-\(Self.password)"), "user": "app"]
            $0.secrets["kv/data/api"] = ["value": .string("api-\(Self.password)")]
            $0.secrets["secret/number"] = ["value": 42]
        }
        vault.start()
        return vault
    }

    private func vaultEnvironment(_ vault: SimulatedVault, tokenFile: String? = nil) -> [String: String] {
        var environment = [
            "VAULT_ADDR": vault.address, "VAULT_CACERT": TestCertificates.path("ca.pem"),
            "VAULT_USERNAME": "executor", "VAULT_PASSWORD": Self.password, "EXECUTOR_DEBUG": "true",
        ]
        environment["VAULT_TOKEN_FILE"] = tokenFile
        return environment
    }

    /// Runs one task whose environment holds `executorEnvironment` and `env` parameters; returns its last state
    /// and message, and the container's environment when it ran.
    private func run(
        _ name: String, extra: [String: String], executorEnvironment: [(String, String)] = [],
        parameters: [(String, String)] = [], inspect: Bool = false
    ) throws -> (state: String?, message: String, env: [String], log: String, updates: String) {
        let agent = try SimulatedAgent()
        agent.start()
        defer { agent.stop() }
        let executor = try ExecutorProcess(agent: agent, name: name, extra: extra)
        defer { executor.tearDown() }
        let taskID = "vault-\(name)-\(DockerTestEngine.uniqueSuffix())"
        defer { DockerTestEngine.removeContainers(taskID: taskID) }
        var task = SimulatedAgentTask(taskID: taskID, image: "local/busybox:latest", command: "sleep 300")
        task.labels = [("SidecarDiscover", "false")]
        task.executorEnvironment = executorEnvironment
        task.parameters = parameters
        agent.launch(task)
        try executor.start()
        let terminal = ["TASK_FAILED", "TASK_FINISHED", "TASK_KILLED", "TASK_ERROR"]
        #expect(
            eventually(timeout: .seconds(60)) {
                let states = agent.states(of: taskID)
                return inspect ? states.contains("TASK_RUNNING") : states.contains { terminal.contains($0) }
            })
        var env: [String] = []
        if inspect, let container = try DockerTestEngine.inspect(ContainerName.forTask(id: taskID)) {
            env = container["Config"]?["Env"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(agent.kill(taskID: taskID, gracePeriod: .seconds(1)))
        }
        _ = executor.waitForExit(timeout: .seconds(30))
        let last = agent.lastUpdate(of: taskID)
        return (
            last?["state"]?.stringValue, last?["message"]?.stringValue ?? "", env, executor.stderr + executor.stdout,
            agent.updates.map(\.jsonString).joined(separator: "\n")
        )
    }

    @Test func vaultValuesAreResolvedIntoTheContainerAfterAUserpassLoginAndNeverLogged() throws {
        let vault = try makeVault()
        defer { vault.stop() }
        let directory = try ProgramUnderTest.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tokenFile = directory + "/vault-token"
        let outcome = try run(
            "resolve", extra: vaultEnvironment(vault, tokenFile: tokenFile),
            executorEnvironment: [("DB_PASSWORD", "vault://secret/db?key=password"), ("PLAIN", "as-is")],
            parameters: [("env", "API_KEY=vault://kv/data/api"), ("env", "DB_USER=vault://secret/db?key=user")],
            inspect: true)
        #expect(outcome.env.contains("DB_PASSWORD=db-\(Self.password)"), "\(outcome.env)")
        #expect(outcome.env.contains("API_KEY=api-\(Self.password)"), "KV version 2")
        #expect(outcome.env.contains("DB_USER=app"))
        #expect(outcome.env.contains("PLAIN=as-is"))
        #expect(!outcome.env.contains { $0.contains("vault://") })
        // The original's login sequence, each call after the login with the new token.
        let calls = vault.recordedCalls
        let paths = calls.map { "\($0.method) \($0.path)" }
        #expect(
            Array(paths.prefix(3)) == [
                "PUT auth/userpass/login/executor", "PUT auth/token/renew", "POST auth/token/lookup",
            ], "\(paths)")
        let renewal = try #require(calls.first { $0.path == "auth/token/renew" })
        #expect(renewal.body.contains("\"increment\":87000"), "VAULT_TTL (86400) + 600: \(renewal.body)")
        #expect(
            calls.filter { $0.method == "GET" && $0.path.hasPrefix("secret/") || $0.path.hasPrefix("kv/") }.count == 3)
        #expect(calls.allSatisfy { $0.status != 403 })
        // The token cache: the token itself, mode 0600.
        let attributes = try FileManager.default.attributesOfItem(atPath: tokenFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let token = try String(contentsOfFile: tokenFile, encoding: .utf8)
        #expect(vault.currentState.tokens[token] != nil)
        // Nothing secret in the log (debug on) or any update.
        for secret in [Self.password, "db-\(Self.password)", "api-\(Self.password)", token] {
            #expect(!outcome.log.contains(secret), "a secret reached the log")
            #expect(!outcome.updates.contains(secret), "a secret reached a status update")
        }
        #expect(outcome.log.contains("create body"))
    }

    @Test func aFreshTokenFileIsReusedAndAnExpiredOneLeadsToANewLogin() throws {
        let vault = try makeVault()
        defer { vault.stop() }
        let directory = try ProgramUnderTest.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tokenFile = directory + "/vault-token"
        vault.configure {
            $0.tokens["s.cached"] = VaultState.Token(expiresAt: Date().timeIntervalSince1970 + 3600, policies: [])
        }
        try "s.cached\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let reused = try run(
            "reuse", extra: vaultEnvironment(vault, tokenFile: tokenFile),
            executorEnvironment: [("DB_PASSWORD", "vault://secret/db?key=password")], inspect: true)
        #expect(reused.env.contains("DB_PASSWORD=db-\(Self.password)"))
        let firstCalls = vault.recordedCalls
        #expect(firstCalls.first.map { "\($0.method) \($0.path)" } == "GET auth/token/lookup-self")
        #expect(!firstCalls.contains { $0.path.hasPrefix("auth/userpass/login") }, "a valid cached token is reused")
        #expect(firstCalls.last?.token == "s.cached")

        // Vault no longer knows the cached token: log in again and replace the cache.
        vault.configure { $0.tokens["s.cached"] = nil }
        let renewed = try run(
            "expired", extra: vaultEnvironment(vault, tokenFile: tokenFile),
            executorEnvironment: [("DB_PASSWORD", "vault://secret/db?key=password")], inspect: true)
        #expect(renewed.env.contains("DB_PASSWORD=db-\(Self.password)"))
        #expect(vault.recordedCalls.contains { $0.path == "auth/userpass/login/executor" })
        let replaced = try String(contentsOfFile: tokenFile, encoding: .utf8)
        #expect(replaced != "s.cached\n" && vault.currentState.tokens[replaced] != nil)
    }

    @Test(arguments: [
        ("missing", "vault://secret/absent", "Vault has no secret at secret/absent (404)"),
        ("wrongkey", "vault://secret/db?key=nope", "the secret at secret/db has no key 'nope'"),
        ("notstring", "vault://secret/number", "is not a string"),
    ])
    func aSecretThatCannotBeResolvedFailsTheTaskNamingTheVariable(name: String, value: String, reason: String) throws {
        let vault = try makeVault()
        defer { vault.stop() }
        let outcome = try run(name, extra: vaultEnvironment(vault), parameters: [("env", "MY_SECRET=\(value)")])
        #expect(outcome.state == "TASK_FAILED")
        #expect(outcome.message.contains("MY_SECRET (\(value))"), "\(outcome.message)")
        #expect(outcome.message.contains(reason), "\(outcome.message)")
    }

    @Test func vaultDownABadCAAndNoVaultAtAllFailTheTaskNamingTheVariable() throws {
        let vault = try makeVault()
        let address = vault.address
        vault.stop()
        var down = vaultEnvironment(vault)
        down["VAULT_ADDR"] = address
        down["VAULT_MAX_RETRIES"] = "0"
        let unreachable = try run("down", extra: down, parameters: [("env", "MY_SECRET=vault://secret/db")])
        #expect(unreachable.state == "TASK_FAILED")
        #expect(unreachable.message.contains("MY_SECRET (vault://secret/db)"), "\(unreachable.message)")
        #expect(unreachable.message.contains("could not be reached"), "\(unreachable.message)")

        let live = try makeVault()
        defer { live.stop() }
        var badCA = vaultEnvironment(live)
        badCA["VAULT_CACERT"] = TestCertificates.path("other-ca.pem")
        let refused = try run("badca", extra: badCA, parameters: [("env", "MY_SECRET=vault://secret/db")])
        #expect(refused.state == "TASK_FAILED")
        #expect(refused.message.contains("MY_SECRET"), "\(refused.message)")
        #expect(refused.message.contains("unknown CA"), "\(refused.message)")

        let none = try run("novault", extra: [:], parameters: [("env", "MY_SECRET=vault://secret/db")])
        #expect(none.state == "TASK_FAILED")
        #expect(none.message.contains("MY_SECRET (vault://secret/db)") && none.message.contains("not configured"))
    }
}
