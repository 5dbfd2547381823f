import EventLoop
import Testing

@testable import Executor

struct MesosHealthPolicyTests {
    private func policy(failures: Int = 3, grace: Duration = .seconds(10)) -> MesosHealthPolicy {
        MesosHealthPolicy(consecutiveFailuresToKill: failures, gracePeriod: grace)
    }

    @Test func failuresInsideTheGracePeriodBeforeAnySuccessAreIgnored() {
        var health = policy()
        #expect(health.failure(elapsed: .seconds(1)) == .ignoredInGracePeriod)
        #expect(health.failure(elapsed: .seconds(10)) == .ignoredInGracePeriod)
        #expect(health.consecutiveFailures == 0)
        // Past the grace period the same failure counts.
        #expect(health.failure(elapsed: .milliseconds(10_001)) == .unhealthy(consecutive: 1, kill: false))
    }

    @Test func aFailureInsideTheGracePeriodCountsOnceTheTaskHasPassed() {
        var health = policy()
        #expect(health.success() == .healthy)
        #expect(health.failure(elapsed: .seconds(2)) == .unhealthy(consecutive: 1, kill: false))
    }

    @Test func aZeroGracePeriodIgnoresNothing() {
        var health = policy(grace: .zero)
        #expect(health.failure(elapsed: .zero) == .unhealthy(consecutive: 1, kill: false))
    }

    @Test func theFirstSuccessIsReportedAndRepeatedSuccessesAreNot() {
        var health = policy()
        #expect(health.success() == .healthy)
        #expect(health.success() == .none)
        #expect(health.success() == .none)
        #expect(!health.initializing)
    }

    @Test func everyFailureIsReportedWithItsCountAndTheThresholdKills() {
        var health = policy(failures: 3)
        _ = health.success()
        #expect(health.failure(elapsed: .seconds(60)) == .unhealthy(consecutive: 1, kill: false))
        #expect(health.failure(elapsed: .seconds(70)) == .unhealthy(consecutive: 2, kill: false))
        #expect(health.failure(elapsed: .seconds(80)) == .unhealthy(consecutive: 3, kill: true))
        #expect(health.killed)
    }

    @Test func aSuccessAfterFailuresIsReportedAndResetsTheCount() {
        var health = policy(failures: 3)
        _ = health.success()
        _ = health.failure(elapsed: .seconds(60))
        _ = health.failure(elapsed: .seconds(70))
        #expect(health.success() == .healthy)
        #expect(health.consecutiveFailures == 0)
        #expect(health.failure(elapsed: .seconds(90)) == .unhealthy(consecutive: 1, kill: false))
    }

    @Test func nothingIsReportedAfterTheKill() {
        var health = policy(failures: 1, grace: .zero)
        #expect(health.failure(elapsed: .seconds(1)) == .unhealthy(consecutive: 1, kill: true))
        #expect(health.failure(elapsed: .seconds(2)) == .none)
        #expect(health.success() == .none)
    }

    @Test func nothingIsReportedOnceAKillHasStartedElsewhere() {
        var health = policy()
        _ = health.success()
        health.stop()
        #expect(health.failure(elapsed: .seconds(60)) == .none)
        #expect(health.success() == .none)
    }

    @Test func zeroConsecutiveFailuresKillsOnTheFirstCountedFailure() {
        var health = policy(failures: 0, grace: .zero)
        #expect(health.failure(elapsed: .seconds(1)) == .unhealthy(consecutive: 1, kill: true))
    }

    @Test func theSpecsThresholdAndGraceAreUsed() {
        let spec = HealthCheckSpec(probe: .tcp(port: 80, ipv6: false), consecutiveFailures: 5, gracePeriod: .seconds(2))
        let health = MesosHealthPolicy(spec)
        #expect(health.consecutiveFailuresToKill == 5)
        #expect(health.gracePeriod == .seconds(2))
    }

    @Test func healthVerdictsOfEachOutcome() {
        #expect(ProbeOutcome.exited(code: 0).isHealthy)
        #expect(!ProbeOutcome.exited(code: 1).isHealthy)
        #expect(ProbeOutcome.httpStatus(200).isHealthy)
        #expect(ProbeOutcome.httpStatus(399).isHealthy)
        #expect(!ProbeOutcome.httpStatus(199).isHealthy)
        #expect(!ProbeOutcome.httpStatus(400).isHealthy)
        #expect(!ProbeOutcome.httpStatus(503).isHealthy)
        #expect(ProbeOutcome.connected(true).isHealthy)
        #expect(!ProbeOutcome.connected(false).isHealthy)
        #expect(!ProbeOutcome.notPerformed(reason: "timeout").isHealthy)
    }
}

struct CheckStatusPolicyTests {
    @Test func aStatusIsReportedOnlyWhenItChanges() {
        var policy = CheckStatusPolicy(type: "COMMAND")
        #expect(policy.record(.exited(code: 0)) == CheckStatus(type: "COMMAND", exitCode: 0))
        #expect(policy.record(.exited(code: 0)) == nil)
        #expect(policy.record(.exited(code: 3)) == CheckStatus(type: "COMMAND", exitCode: 3))
        #expect(policy.record(.exited(code: 3)) == nil)
    }

    @Test func aCheckThatCannotBePerformedIsTheEmptyStatus() {
        var policy = CheckStatusPolicy(type: "HTTP")
        // The first result equal to the starting (empty) status is no change.
        #expect(policy.record(.notPerformed(reason: "timeout")) == nil)
        #expect(policy.record(.httpStatus(503)) == CheckStatus(type: "HTTP", statusCode: 503))
        #expect(policy.record(.notPerformed(reason: "refused")) == CheckStatus(type: "HTTP"))
    }

    @Test func tcpResultsAreSucceededTrueOrFalse() {
        var policy = CheckStatusPolicy(type: "TCP")
        #expect(policy.record(.connected(false)) == CheckStatus(type: "TCP", succeeded: false))
        #expect(policy.record(.connected(true)) == CheckStatus(type: "TCP", succeeded: true))
    }

    @Test func checkStatusJSONIsMesossCheckStatusInfo() {
        #expect(
            CheckStatus(type: "COMMAND", exitCode: 3).json == ["type": "COMMAND", "command": ["exit_code": 3]])
        #expect(CheckStatus(type: "HTTP", statusCode: 200).json == ["type": "HTTP", "http": ["status_code": 200]])
        #expect(CheckStatus(type: "TCP", succeeded: true).json == ["type": "TCP", "tcp": ["succeeded": true]])
        #expect(CheckStatus(type: "TCP").json == ["type": "TCP", "tcp": [:]])
    }

    @Test func checkStatusGoesOnTheWireInTaskStatus() {
        var update = TaskStatusUpdate(taskID: "t", state: .running, reason: .checkStatusUpdated)
        update.checkStatus = CheckStatus(type: "COMMAND", exitCode: 1)
        let status = TaskStatus(
            update: update, executorID: "e", agentID: nil, uuid: UUIDv4.random(), timestamp: 1)
        #expect(status.json["check_status"] == ["type": "COMMAND", "command": ["exit_code": 1]])
        #expect(status.json["reason"] == "REASON_TASK_CHECK_STATUS_UPDATED")
    }
}
