import EventLoop
import Testing

@testable import Executor

struct AgentEnvironmentTests {
    static let complete: [String: String] = [
        "MESOS_AGENT_ENDPOINT": "10.0.0.5:5051",
        "MESOS_FRAMEWORK_ID": "fw-0001",
        "MESOS_EXECUTOR_ID": "web.1234",
        "MESOS_DIRECTORY": "/var/lib/mesos/slaves/a/frameworks/f/executors/e/runs/c",
        "MESOS_SANDBOX": "/mnt/mesos/sandbox",
        "MESOS_CHECKPOINT": "1",
        "MESOS_RECOVERY_TIMEOUT": "15mins",
        "MESOS_SUBSCRIPTION_BACKOFF_MAX": "2secs",
        "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD": "10secs",
        "MESOS_EXECUTOR_AUTHENTICATION_TOKEN": "s3cr3t.jwt.value",
    ]

    private func problems(_ environment: [String: String]) -> [String] {
        do {
            _ = try AgentEnvironment.parse(environment)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func aCompleteEnvironmentIsRead() throws {
        let environment = try AgentEnvironment.parse(Self.complete)
        #expect(environment.agentEndpoint == .tcp(host: "10.0.0.5", port: 5051))
        #expect(environment.frameworkID == "fw-0001")
        #expect(environment.executorID == "web.1234")
        #expect(environment.directory == "/var/lib/mesos/slaves/a/frameworks/f/executors/e/runs/c")
        #expect(environment.sandbox == "/mnt/mesos/sandbox")
        #expect(environment.checkpoint)
        #expect(environment.recoveryTimeout == .seconds(900))
        #expect(environment.subscriptionBackoffMax == .seconds(2))
        #expect(environment.shutdownGracePeriod == .seconds(10))
        #expect(environment.authenticationToken?.authorizationHeaderValue == "Bearer s3cr3t.jwt.value")
    }

    @Test func withoutCheckpointingTheRecoverySettingsDefault() throws {
        var variables = Self.complete
        variables["MESOS_CHECKPOINT"] = "0"
        variables["MESOS_RECOVERY_TIMEOUT"] = nil
        variables["MESOS_SUBSCRIPTION_BACKOFF_MAX"] = nil
        variables["MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD"] = nil
        variables["MESOS_EXECUTOR_AUTHENTICATION_TOKEN"] = nil
        let environment = try AgentEnvironment.parse(variables)
        #expect(!environment.checkpoint)
        #expect(environment.recoveryTimeout == .seconds(900))
        #expect(environment.subscriptionBackoffMax == .seconds(2))
        #expect(environment.shutdownGracePeriod == .seconds(5))
        #expect(environment.authenticationToken == nil)
    }

    @Test func aMissingCheckpointVariableMeansNoCheckpointing() throws {
        var variables = Self.complete
        variables["MESOS_CHECKPOINT"] = nil
        #expect(try !AgentEnvironment.parse(variables).checkpoint)
    }

    @Test func eitherSandboxVariableStandsInForTheOther() throws {
        var onlyDirectory = Self.complete
        onlyDirectory["MESOS_SANDBOX"] = nil
        let fromDirectory = try AgentEnvironment.parse(onlyDirectory)
        #expect(fromDirectory.sandbox == fromDirectory.directory)
        var onlySandbox = Self.complete
        onlySandbox["MESOS_DIRECTORY"] = nil
        let fromSandbox = try AgentEnvironment.parse(onlySandbox)
        #expect(fromSandbox.directory == "/mnt/mesos/sandbox")
    }

    @Test func everyProblemIsReportedAtOnceNamingItsVariable() {
        let found = problems([
            "MESOS_AGENT_ENDPOINT": "no-port-here",
            "MESOS_CHECKPOINT": "yes",
            "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD": "5 seconds",
            "MESOS_DIRECTORY": "relative/path",
        ])
        let names = [
            "MESOS_AGENT_ENDPOINT", "MESOS_FRAMEWORK_ID", "MESOS_EXECUTOR_ID", "MESOS_DIRECTORY", "MESOS_CHECKPOINT",
            "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD",
        ]
        #expect(found.count == names.count)
        for (problem, name) in zip(found, names) {
            #expect(problem.hasPrefix(name + " "), "\(problem)")
            #expect(problem.hasSuffix("."))
        }
        #expect(found.first?.contains("'no-port-here'") == true)
    }

    @Test func checkpointingRequiresTheRecoverySettings() {
        var variables = Self.complete
        variables["MESOS_RECOVERY_TIMEOUT"] = nil
        variables["MESOS_SUBSCRIPTION_BACKOFF_MAX"] = "2 secs"
        let found = problems(variables)
        #expect(found.count == 2)
        #expect(found[0].hasPrefix("MESOS_RECOVERY_TIMEOUT is missing"))
        #expect(found[1].hasPrefix("MESOS_SUBSCRIPTION_BACKOFF_MAX is not a Mesos duration"))
    }

    @Test func theTokenNeverAppearsInDescriptionsOrProblems() throws {
        let environment = try AgentEnvironment.parse(Self.complete)
        let token = try #require(environment.authenticationToken)
        #expect(!"\(token)".contains("s3cr3t"))
        #expect(!String(reflecting: token).contains("s3cr3t"))
        #expect(!"\(environment)".contains("s3cr3t"))
        var output = ""
        dump(environment, to: &output)
        #expect(!output.contains("s3cr3t"))
        var bad = Self.complete
        bad["MESOS_EXECUTOR_AUTHENTICATION_TOKEN"] = "s3cr3t with spaces"
        let found = problems(bad)
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("MESOS_EXECUTOR_AUTHENTICATION_TOKEN"))
        #expect(!found[0].contains("s3cr3t"))
    }

    @Test func theErrorDescriptionListsEveryProblem() {
        do {
            _ = try AgentEnvironment.parse([:])
            Issue.record("an empty environment was accepted")
        } catch {
            #expect(error.description.contains("MESOS_AGENT_ENDPOINT"))
            #expect(error.description.contains("MESOS_EXECUTOR_ID"))
        }
    }
}

struct AgentEnvironmentSlavePIDTests {
    @Test func theSlavePIDNamesTheEndpointAndPathAsTheExecutorLibraryBuildsThem() throws {
        var variables = AgentEnvironmentTests.complete
        variables["MESOS_SLAVE_PID"] = "slave(1)@10.0.0.7:5052"
        let environment = try AgentEnvironment.parse(variables)
        #expect(environment.agentEndpoint == .tcp(host: "10.0.0.7", port: 5052))
        #expect(environment.executorPath == "/slave(1)/api/v1/executor")
    }

    @Test func withoutTheSlavePIDTheAgentEndpointAndTheAgentsOwnPathAreUsed() throws {
        let environment = try AgentEnvironment.parse(AgentEnvironmentTests.complete)
        #expect(environment.agentEndpoint == .tcp(host: "10.0.0.5", port: 5051))
        #expect(environment.executorPath == "/api/v1/executor")
    }

    @Test func theSlavePIDAloneIsEnough() throws {
        var variables = AgentEnvironmentTests.complete
        variables["MESOS_AGENT_ENDPOINT"] = nil
        variables["MESOS_SLAVE_PID"] = "slave(1)@127.0.0.1:5051"
        #expect(try AgentEnvironment.parse(variables).agentEndpoint == .tcp(host: "127.0.0.1", port: 5051))
    }

    @Test(arguments: ["slave(1)", "@10.0.0.5:5051", "slave(1)@nowhere", "sl ave@10.0.0.5:5051", "a/b@10.0.0.5:5051"])
    func aMalformedSlavePIDIsAProblemNamingIt(_ pid: String) {
        var variables = AgentEnvironmentTests.complete
        variables["MESOS_SLAVE_PID"] = pid
        do {
            _ = try AgentEnvironment.parse(variables)
            Issue.record("\(pid) was accepted")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems.first?.hasPrefix("MESOS_SLAVE_PID") == true, "\(error.problems)")
        }
    }
}
