import EventLoop
import Foundation
import Simulators
import Testing

@testable import Executor

/// Secrets never reach a log. The end-to-end test runs the real binary with EXECUTOR_DEBUG=true (the most it ever
/// logs: the create body, every setting warning, the pull) and a task carrying secrets every way the executor
/// sees them, then searches everything the process wrote, and every status update, for each secret.
struct ReliabilitySecretTests {
    /// A value that cannot occur by chance, to search for.
    static func secret(_ name: String) -> String { "s3cr3t-\(name)-\(DockerTestEngine.uniqueSuffix())" }

    @Test(.requires(.docker), .requires(.releaseBinary))
    func noSecretReachesTheLogOrAStatusUpdateWithDebugLoggingOn() throws {
        let registry = try #require(DockerTestEngine.registry, "DOCKER_TEST_REGISTRY is not set (ENGINE_REGISTRY=1)")
        let image = try DockerEndToEndTests.pushUniqueImage()
        defer { _ = try? DockerTestEngine.cli(["rmi", image]) }
        let secrets = [
            "DB_PASSWORD": Self.secret("password"), "API_TOKEN": Self.secret("token"),
            "AWS_SECRET_ACCESS_KEY": Self.secret("aws"), "signing_key": Self.secret("key"),
        ]
        let registryPassword = Self.secret("registry")
        let agentToken = Self.secret("agent")
        let executorSecrets = ["EXECUTOR_SECRET_TOKEN": Self.secret("setting"), "VAULT_TOKEN": Self.secret("vault")]

        let agent = try SimulatedAgent()
        agent.start()
        defer { agent.stop() }
        var extra = executorSecrets
        extra["EXECUTOR_DEBUG"] = "true"
        extra["MESOS_EXECUTOR_AUTHENTICATION_TOKEN"] = agentToken
        let executor = try ExecutorProcess(agent: agent, name: "secrets", extra: extra)
        defer { executor.tearDown() }
        let login = Base64.encode(Array("reliability:\(registryPassword)".utf8))
        try Data(#"{"auths":{"\#(registry)":{"auth":"\#(login)"}}}"#.utf8).write(
            to: URL(fileURLWithPath: executor.sandbox + "/config.json"))

        let taskID = "rel-secrets-\(DockerTestEngine.uniqueSuffix())"
        defer { DockerTestEngine.removeContainers(taskID: taskID) }
        var task = SimulatedAgentTask(taskID: taskID, image: image, command: "sleep 300")
        task.forcePullImage = true
        task.labels = [("SidecarDiscover", "false")]
        task.executorEnvironment = [("DB_PASSWORD", secrets["DB_PASSWORD"]!), ("PLAIN_SETTING", "visible-value")]
        task.parameters = [
            ("env", "API_TOKEN=\(secrets["API_TOKEN"]!)"),
            ("env", "AWS_SECRET_ACCESS_KEY=\(secrets["AWS_SECRET_ACCESS_KEY"]!)"),
            ("env", "signing_key=\(secrets["signing_key"]!)"),
        ]
        agent.launch(task)
        try executor.start()
        #expect(eventually(timeout: .seconds(60)) { agent.states(of: taskID).contains("TASK_RUNNING") })
        // The secrets did reach the container: hiding them from the log must not drop them.
        let inspect = try #require(try DockerTestEngine.inspect("\(try containerName(taskID))"))
        let environment = inspect["Config"]?["Env"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for (name, value) in secrets {
            #expect(environment.contains("\(name)=\(value)"), "\(name) is missing from the container")
        }
        #expect(agent.kill(taskID: taskID, gracePeriod: .seconds(1)))
        #expect(executor.waitForExit(timeout: .seconds(120)) == 0)

        let written = executor.stderr + executor.stdout
        // The paths that could leak were taken: debug body, pull with a login, setting warnings, the token in use.
        #expect(written.contains("create body"))
        #expect(written.contains("DB_PASSWORD=\(Redaction.marker)"))
        #expect(written.contains("API_TOKEN=\(Redaction.marker)"))
        #expect(written.contains("PLAIN_SETTING=visible-value"), "only secret-looking names are hidden")
        #expect(written.contains("with the credential 'reliability'"))
        #expect(written.contains("EXECUTOR_SECRET_TOKEN is not a setting"))
        #expect(!written.contains("VAULT_TOKEN is set"), "Vault is implemented: VAULT_TOKEN is used, not warned about")
        #expect(agent.calls.first?.request.header("Authorization") == "Bearer \(agentToken)")
        let credential = RegistryCredential(
            serverAddress: registry, username: "reliability", password: registryPassword)
        let updates = agent.updates.map(\.jsonString).joined(separator: "\n")
        for (name, value) in secrets.merging(executorSecrets, uniquingKeysWith: { $1 }).merging(
            [
                "registry password": registryPassword, "agent token": agentToken, "registry login": login,
                "X-Registry-Auth": credential.registryAuthHeader,
            ],
            uniquingKeysWith: { $1 })
        {
            #expect(!written.contains(value), "\(name) reached the executor's log")
            #expect(!updates.contains(value), "\(name) reached a status update")
        }
    }

    private func containerName(_ taskID: String) throws -> String {
        let listed = try DockerTestEngine.cli(["ps", "-aq", "--filter", "label=mesos.task_id=\(taskID)"])
        return try #require(listed.output.split(whereSeparator: \.isNewline).first.map(String.init))
    }

    @Test func theAgentTokenIsHiddenFromEveryDescription() throws {
        var variables = try SimulatedAgent().environment(sandbox: "/tmp/sandbox")
        variables["MESOS_EXECUTOR_AUTHENTICATION_TOKEN"] = "t0k3n-value"
        let environment = try AgentEnvironment.parse(variables)
        var dumped = ""
        dump(environment, to: &dumped)
        for text in ["\(environment)", String(reflecting: environment), dumped] {
            #expect(!text.contains("t0k3n-value"), "\(text)")
        }
        #expect(environment.authenticationToken?.authorizationHeaderValue == "Bearer t0k3n-value")
    }

    @Test func aRegistryLoginIsHiddenFromEveryDescription() {
        let credential = RegistryCredential(
            serverAddress: "registry:5000", username: "deploy", password: "pa55-value", identityToken: "id-value")
        var dumped = ""
        dump(credential, to: &dumped)
        #expect(!"\(credential)".contains("pa55-value"))
        #expect(!"\(credential)".contains("id-value"))
        #expect("\(credential)".contains("deploy"), "the username says which login was used")
        #expect(!dumped.contains("pa55-value") && !dumped.contains("id-value"), "\(dumped)")
        #expect(dumped.contains("deploy"))
    }

    @Test func settingWarningsNameSecretLookingVariablesWithoutTheirValues() throws {
        let parsed = try ExecutorSettings.parse(environment: [
            "EXECUTOR_SECRET_TOKEN": "value-1", "VAULT_TOKEN": "value-2", "VAULT_ADDR": "https://vault:8200",
        ])
        #expect(parsed.warnings.count == 1, "VAULT_* are Vault's settings now, not warnings")
        for warning in parsed.warnings {
            #expect(!warning.contains("value-1") && !warning.contains("value-2"), "\(warning)")
        }
    }

    @Test func theDebugCreateBodyHidesEverySecretLookingEnvironmentValue() throws {
        let raw = TaskInfoFixture.task(parameters: [
            ("env", "DB_PASSWORD=hunter2"), ("env", "private_key=k"), ("env", "SESSION_SECRET=s"),
            ("env", "GITHUB_TOKEN=t"), ("env", "KEYLESS"), ("env", "HOME=/root"),
        ])
        let spec = try ContainerSpec.make(task: TaskInfo.parse(raw), settings: TaskInfoFixture.settings)
        let logged = Redaction.createBody(spec.body).jsonString
        for value in ["hunter2", "=k\"", "=s\"", "=t\""] {
            #expect(!logged.contains(value), "\(value) in \(logged)")
        }
        #expect(logged.contains("HOME=/root"))
        #expect(logged.contains("KEYLESS"))
    }
}
