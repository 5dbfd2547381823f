import EventLoop
import Testing

@testable import Executor

/// The lifecycle's side of TaskInfo checks and max_completion_time.
struct TaskLifecycleChecksTests {
    static let containerID = "2ad39c8706dd5d2d77d450ec84f3d891de3e137036053b7fec36e2432c315894"
    static let details = ContainerDetails(id: containerID, ipAddresses: ["172.31.251.2"])

    private func running(killingState: Bool = false, healthCheck: Bool = false) -> TaskLifecycle {
        var machine = TaskLifecycle(
            settings: .init(
                taskID: "task-1", image: "local/busybox:latest", sendsKillingState: killingState,
                defaultGrace: .seconds(5), healthCheckSetsHealthy: healthCheck))
        for event: TaskLifecycle.Event in [
            .launch, .imageChecked(present: true), .created(containerID: Self.containerID), .waiting, .started,
            .inspected(Self.details),
        ] {
            _ = machine.handle(event)
        }
        return machine
    }

    private func reports(_ actions: [TaskLifecycle.Action]) -> [TaskStatusUpdate] {
        actions.compactMap { if case .report(let update) = $0 { update } else { nil } }
    }

    @Test func aHealthCheckResultIsATaskRunningUpdateWithHealthy() throws {
        var machine = running(healthCheck: true)
        let update = try #require(
            reports(machine.handle(.checkReported(CheckReport(healthy: false, message: "HTTP check failed")))).first)
        #expect(update.state == .running)
        #expect(update.healthy == false)
        #expect(update.reason == .healthCheckStatusUpdated)
        #expect(update.message == "HTTP check failed")
        #expect(update.checkStatus == nil)
        #expect(update.labels == [TaskStatusUpdate.Label(key: "docker_id", value: Self.containerID)])
        #expect(update.containerIPAddresses == ["172.31.251.2"])
    }

    @Test func aCheckStatusChangeIsATaskRunningUpdateWithCheckStatus() throws {
        var machine = running()
        let status = CheckStatus(type: "COMMAND", exitCode: 3)
        let update = try #require(
            reports(machine.handle(.checkReported(CheckReport(checkStatus: status, message: "changed")))).first)
        #expect(update.state == .running)
        #expect(update.checkStatus == status)
        #expect(update.healthy == nil)
        #expect(update.reason == .checkStatusUpdated)
    }

    @Test func theHealthCheckKillStopsWithTheTaskGraceAndEndsKilledUnhealthy() throws {
        var machine = running(killingState: true, healthCheck: true)
        let actions = machine.handle(.healthCheckKill(message: "HTTP GET :80/ failed: HTTP status 503 (3 of 3)"))
        #expect(reports(actions).map(\.state) == [.killing])
        #expect(actions.last == .stop(containerID: Self.containerID, grace: .seconds(5)))
        let final = try #require(reports(machine.handle(.exited(ContainerExit(statusCode: 143)))).first)
        #expect(final.state == .killed)
        #expect(final.healthy == false)
        #expect(final.message?.contains("HTTP status 503") == true)
    }

    @Test func nothingIsReportedAfterAKill() {
        var machine = running(healthCheck: true)
        _ = machine.handle(.kill(grace: .seconds(1)))
        #expect(machine.handle(.checkReported(CheckReport(healthy: true, message: "ok"))).isEmpty)
        #expect(machine.handle(.healthCheckKill(message: "x")).isEmpty)
        #expect(machine.handle(.maxCompletionTimeReached(limit: .seconds(1))).isEmpty)
    }

    @Test func maxCompletionTimeKillsAtOnceAndFailsWithItsReason() throws {
        var machine = running()
        let actions = machine.handle(.maxCompletionTimeReached(limit: .seconds(30)))
        #expect(actions == [.stop(containerID: Self.containerID, grace: .zero)])
        // Even a clean exit on the signal is a failure: the task did not complete in time.
        let final = try #require(reports(machine.handle(.exited(ContainerExit(statusCode: 0)))).first)
        #expect(final.state == .failed)
        #expect(final.reason == .maxCompletionTimeReached)
        #expect(final.message?.contains("max_completion_time of 30s") == true)
    }

    @Test func maxCompletionTimeDuringAPullEndsTheTaskAtOnce() throws {
        var machine = TaskLifecycle(settings: .init(taskID: "task-1", image: "img"))
        _ = machine.handle(.launch)
        _ = machine.handle(.imageChecked(present: false))
        let final = try #require(reports(machine.handle(.maxCompletionTimeReached(limit: .seconds(2)))).first)
        #expect(final.state == .failed)
        #expect(final.reason == .maxCompletionTimeReached)
        #expect(machine.isTerminal)
    }

    @Test func maxCompletionTimeWhileCreatingIsActedOnWhenTheContainerExists() throws {
        var machine = TaskLifecycle(settings: .init(taskID: "task-1", image: "img"))
        _ = machine.handle(.launch)
        _ = machine.handle(.imageChecked(present: true))
        #expect(machine.handle(.maxCompletionTimeReached(limit: .seconds(2))).isEmpty)
        let final = try #require(reports(machine.handle(.created(containerID: "c1"))).first)
        #expect(final.state == .failed)
        #expect(final.reason == .maxCompletionTimeReached)
    }

    /// Both at once: with a TaskInfo health check, it sets `healthy`; Sidecar's verdict changes are not reported,
    /// but Sidecar's failure policy still fails the task.
    @Test func withAHealthCheckSidecarNoLongerSetsHealthyButStillFailsTheTask() throws {
        var machine = running(healthCheck: true)
        #expect(machine.handle(.healthChanged(healthy: true)).isEmpty)
        #expect(
            reports(machine.handle(.checkReported(CheckReport(healthy: true, message: "ok")))).first?.healthy == true)
        #expect(machine.handle(.healthChanged(healthy: false)).isEmpty)
        _ = machine.handle(.healthFailed(message: "Sidecar reported the service UNHEALTHY on 4 consecutive polls"))
        let final = try #require(reports(machine.handle(.exited(ContainerExit(statusCode: 143)))).first)
        #expect(final.state == .failed)
        #expect(final.reason == .healthCheckStatusUpdated)
        #expect(final.message?.hasPrefix("Sidecar") == true)
    }

    @Test func withoutAHealthCheckSidecarSetsHealthy() {
        var machine = running(healthCheck: false)
        #expect(reports(machine.handle(.healthChanged(healthy: true))).first?.healthy == true)
    }
}
