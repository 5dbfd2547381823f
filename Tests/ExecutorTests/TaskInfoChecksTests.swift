import EventLoop
import Testing

@testable import Executor

/// `health_check`, `check` and `max_completion_time`: every field, every default, and what Mesos would refuse.
struct TaskInfoChecksTests {
    private func parse(_ changes: [(String, JSONValue?)]) throws -> TaskInfo {
        try TaskInfo.parse(TaskInfoFixture.task(changes))
    }

    private func error(_ changes: [(String, JSONValue?)]) -> TaskInfoError? {
        do {
            _ = try TaskInfo.parse(TaskInfoFixture.task(changes))
            return nil
        } catch {
            return error
        }
    }

    @Test func noChecksByDefault() throws {
        let task = try parse([])
        #expect(task.healthCheck == nil)
        #expect(task.check == nil)
        #expect(task.maxCompletionTime == nil)
    }

    @Test func healthCheckDefaultsAreMesoss() throws {
        let task = try parse([("health_check", ["type": "TCP", "tcp": ["port": 8080]])])
        let health = try #require(task.healthCheck)
        #expect(health.probe == .tcp(port: 8080, ipv6: false))
        #expect(health.timing.delay == .seconds(15))
        #expect(health.timing.interval == .seconds(10))
        #expect(health.timing.timeout == .seconds(20))
        #expect(health.consecutiveFailures == 3)
        #expect(health.gracePeriod == .seconds(10))
    }

    @Test func everyHealthCheckFieldIsRead() throws {
        let task = try parse([
            (
                "health_check",
                [
                    "type": "HTTP", "delay_seconds": 1.5, "interval_seconds": 2, "timeout_seconds": 0.25,
                    "consecutive_failures": 7, "grace_period_seconds": 30,
                    "http": ["protocol": "IPv6", "scheme": "http", "port": 80, "path": "/health", "statuses": [200]],
                ]
            )
        ])
        let health = try #require(task.healthCheck)
        #expect(health.probe == .http(port: 80, path: "/health", ipv6: true))
        #expect(
            health.timing == CheckTiming(delay: .milliseconds(1500), interval: .seconds(2), timeout: .milliseconds(250))
        )
        #expect(health.consecutiveFailures == 7)
        #expect(health.gracePeriod == .seconds(30))
    }

    @Test func httpPathDefaultsToTheRootAndProtocolToIPv4() throws {
        let task = try parse([("health_check", ["type": "HTTP", "http": ["port": 80]])])
        #expect(task.healthCheck?.probe == .http(port: 80, path: "/", ipv6: false))
    }

    @Test func aZeroTimeoutMeansNoTimeout() throws {
        let task = try parse([("health_check", ["type": "TCP", "timeout_seconds": 0, "tcp": ["port": 1]])])
        #expect(task.healthCheck?.timing.timeout == nil)
    }

    @Test func aCommandHealthCheckKeepsItsCommandInfo() throws {
        let task = try parse([
            (
                "health_check",
                [
                    "type": "COMMAND",
                    "command": [
                        "shell": false, "value": "/bin/check", "arguments": ["check", "-v"],
                        "environment": ["variables": [["name": "A", "value": "1"]]],
                    ],
                ]
            )
        ])
        var command = TaskInfo.Command(shell: false, value: "/bin/check", arguments: ["check", "-v"])
        command.environment = [.init(name: "A", value: "1")]
        #expect(task.healthCheck?.probe == .command(command))
        #expect(ContainerProber.argv(command) == ["/bin/check", "check", "-v"])
        #expect(ContainerProber.argv(TaskInfo.Command(value: "test -f /ok")) == ["sh", "-c", "test -f /ok"])
    }

    @Test func checkInfoDefaultsAndFields() throws {
        let defaults = try #require(try parse([("check", ["type": "TCP", "tcp": ["port": 9000]])]).check)
        #expect(defaults.probe == .tcp(port: 9000, ipv6: false))
        #expect(defaults.timing == CheckTiming())
        let full = try #require(
            try parse([
                (
                    "check",
                    [
                        "type": "HTTP", "delay_seconds": 0, "interval_seconds": 1, "timeout_seconds": 3,
                        "http": ["port": 8080, "path": "/status", "protocol": "IPv4"],
                    ]
                )
            ]).check)
        #expect(full.probe == .http(port: 8080, path: "/status", ipv6: false))
        #expect(full.timing == CheckTiming(delay: .zero, interval: .seconds(1), timeout: .seconds(3)))
    }

    @Test func checkInfoCommandIsNestedOneLevelDeeper() throws {
        let task = try parse([("check", ["type": "COMMAND", "command": ["command": ["value": "exit 3"]]])])
        #expect(task.check?.probe == .command(TaskInfo.Command(value: "exit 3")))
        #expect(
            error([("check", ["type": "COMMAND", "command": ["value": "exit 3"]])])
                == .missing(field: "check.command.command"))
    }

    @Test func maxCompletionTimeIsADurationInfo() throws {
        let task = try parse([("max_completion_time", ["nanoseconds": 2_500_000_000])])
        #expect(task.maxCompletionTime == .milliseconds(2500))
        #expect(
            error([("max_completion_time", ["nanoseconds": -1])])
                == .invalid(field: "max_completion_time.nanoseconds", reason: "is negative (-1)"))
        #expect(error([("max_completion_time", [:])]) == .missing(field: "max_completion_time.nanoseconds"))
    }

    /// What Mesos's validation refuses, each naming the field.
    @Test(
        arguments: [
            (["http": ["port": 80]] as JSONValue, "health_check.type"),
            (["type": "UNKNOWN"], "health_check.type"),
            (["type": "HTTP"], "health_check.http"),
            (["type": "TCP"], "health_check.tcp"),
            (["type": "COMMAND"], "health_check.command"),
            (["type": "COMMAND", "command": ["shell": true]], "health_check.command.value"),
            (["type": "HTTP", "http": ["port": 80, "scheme": "https"]], "health_check.http.scheme"),
            (["type": "HTTP", "http": ["port": 80, "scheme": "ftp"]], "health_check.http.scheme"),
            (["type": "HTTP", "http": ["port": 80, "path": "health"]], "health_check.http.path"),
            (["type": "HTTP", "http": ["port": 80, "path": "/a b"]], "health_check.http.path"),
            (["type": "HTTP", "http": ["port": 0]], "health_check.http.port"),
            (["type": "HTTP", "http": ["port": 70000]], "health_check.http.port"),
            (["type": "HTTP", "http": ["path": "/"]], "health_check.http.port"),
            (["type": "TCP", "tcp": ["port": 80, "protocol": "IPX"]], "health_check.tcp.protocol"),
            (["type": "TCP", "tcp": ["port": "80"]], "health_check.tcp.port"),
            (["type": "TCP", "tcp": ["port": 80], "delay_seconds": -1], "health_check.delay_seconds"),
            (["type": "TCP", "tcp": ["port": 80], "interval_seconds": -1], "health_check.interval_seconds"),
            (["type": "TCP", "tcp": ["port": 80], "timeout_seconds": -0.5], "health_check.timeout_seconds"),
            (["type": "TCP", "tcp": ["port": 80], "grace_period_seconds": -1], "health_check.grace_period_seconds"),
            (["type": "TCP", "tcp": ["port": 80], "consecutive_failures": -1], "health_check.consecutive_failures"),
            (["type": "TCP", "tcp": ["port": 80], "interval_seconds": "10"], "health_check.interval_seconds"),
            (["type": "TCP", "tcp": ["port": 80], "delay_seconds": 1e12], "health_check.delay_seconds"),
            ("not an object", "health_check"),
        ] as [(JSONValue, String)])
    func invalidHealthChecksFailNamingTheField(_ check: JSONValue, _ field: String) {
        #expect(error([("health_check", check)])?.field == field)
    }

    @Test(
        arguments: [
            (["type": "HTTP"] as JSONValue, "check.http"),
            (["type": "TCP", "tcp": [:]], "check.tcp.port"),
            (["type": "GRPC"], "check.type"),
            (["type": "TCP", "tcp": ["port": 1], "timeout_seconds": -1], "check.timeout_seconds"),
        ] as [(JSONValue, String)])
    func invalidChecksFailNamingTheField(_ check: JSONValue, _ field: String) {
        #expect(error([("check", check)])?.field == field)
    }

    @Test func anInvalidHealthCheckFailsTheTaskAsInvalid() {
        let failure = error([("health_check", ["type": "HTTP", "http": ["port": 80, "scheme": "https"]])])
        #expect(failure?.description.contains("https") == true)
    }
}
