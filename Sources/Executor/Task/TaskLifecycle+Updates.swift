/// The status updates of a task's lifecycle: what Mesos, and the operator, are told at each step.
extension TaskLifecycle {
    /// The label carrying the container's full id on TASK_RUNNING and later updates.
    static let containerIDLabel = "docker_id"

    func startingUpdate() -> TaskStatusUpdate {
        update(.starting, message: "Launching container for image \(settings.image)")
    }

    func invalidUpdate(_ error: TaskInfoError) -> TaskStatusUpdate {
        update(.failed, message: error.description, reason: .taskInvalid)
    }

    /// TASK_RUNNING with the container's id and addresses; with `healthy`, a Sidecar verdict change.
    func runningUpdate(healthy: Bool?) -> TaskStatusUpdate {
        var status: TaskStatusUpdate
        if let healthy {
            status = update(
                .running, message: "Sidecar reports the service \(healthy ? "healthy" : "unhealthy")",
                reason: .healthCheckStatusUpdated)
            status.healthy = healthy
        } else {
            status = update(.running, message: "Container \(details.map { String($0.id.prefix(12)) } ?? "") started")
        }
        return withContainer(status)
    }

    /// TASK_RUNNING for a TaskInfo check's result: `healthy` from the health check, `check_status` from the check.
    func checkUpdate(_ report: CheckReport) -> TaskStatusUpdate {
        var status = update(
            .running, message: report.message,
            reason: report.checkStatus == nil ? .healthCheckStatusUpdated : .checkStatusUpdated)
        status.healthy = report.healthy
        status.checkStatus = report.checkStatus
        return withContainer(status)
    }

    /// TASK_FAILED for a task that ran past its `max_completion_time` (`exit`: nil when no container ran yet).
    func maxCompletionUpdate(_ limit: Duration, exit: ContainerExit?) -> TaskStatusUpdate {
        let ending = exit.map { "; \(Self.describe($0.statusCode))" } ?? " before its container started"
        return withContainer(
            update(
                .failed,
                message:
                    "The task ran past its max_completion_time of \(limit.shortDescription) and was killed\(ending)",
                reason: .maxCompletionTimeReached))
    }

    /// TASK_KILLING first, for a framework that asked for it (TASK_KILLING_STATE).
    func killingUpdate(grace: Duration) -> [Action] {
        settings.sendsKillingState ? [.report(killingStatusUpdate(grace: grace))] : []
    }

    func killingStatusUpdate(grace: Duration) -> TaskStatusUpdate {
        withContainer(
            update(
                .killing,
                message: "Killing the task: stopping its container with a grace period of \(grace.shortDescription)"))
    }

    func killedDuringLaunchUpdate() -> TaskStatusUpdate {
        var message = "The task was killed before its container started"
        if case .shutdown(_, let cause) = termination, cause != .executorShuttingDown {
            message += ", because \(Self.describe(cause))"
        }
        return update(.killed, message: message, reason: .taskKilledDuringLaunch)
    }

    /// The terminal update for the wait's answer: why the container was stopped decides the state, not the code
    /// (a KILL ends TASK_KILLED even when the process exits 0 on SIGTERM). `oomKilled`: the engine says the kernel's
    /// OOM killer ended it, which Mesos reports as REASON_CONTAINER_LIMITATION_MEMORY.
    func exitUpdate(_ exit: ContainerExit, oomKilled: Bool = false) -> TaskStatusUpdate {
        let detail = exit.errorMessage.map { ": \($0)" } ?? ""
        var status: TaskStatusUpdate
        switch termination {
        case nil where oomKilled:
            status = update(
                .failed,
                message: "Container was killed by the kernel's OOM killer: it outgrew its memory limit "
                    + "(exit status \(exit.statusCode))\(detail)",
                reason: .containerLimitationMemory)
        case .killed(let grace):
            status = update(
                .killed,
                message: "Container stopped at the framework's request (grace period \(grace.shortDescription)); "
                    + "\(Self.describe(exit.statusCode))\(detail)")
        case .shutdown(let grace, let cause):
            status = update(
                .killed,
                message: "Container stopped because \(Self.describe(cause)) (grace period "
                    + "\(grace.shortDescription)); \(Self.describe(exit.statusCode))\(detail)")
        case .healthFailure(let message, _):
            status = update(.failed, message: message, reason: .healthCheckStatusUpdated)
            status.healthy = false
        case .healthCheckKill(let message, let grace):
            status = update(
                .killed,
                message: "Killed by its health check (grace period \(grace.shortDescription)): \(message); "
                    + "\(Self.describe(exit.statusCode))\(detail)")
            status.healthy = false
        case .maxCompletionTime(let limit):
            status = maxCompletionUpdate(limit, exit: exit)
        case nil:
            let message = Self.exitMessage(exit.statusCode) + detail
            status = update(exit.statusCode == 0 ? .finished : .failed, message: message)
        }
        return withContainer(status)
    }

    func lostUpdate(_ error: DockerError) -> TaskStatusUpdate {
        withContainer(update(.failed, message: "Lost track of the container: \(error.message)"))
    }

    /// The engine failed every SIGKILL after a failed stop: the container may still run, and the task is given up.
    func unstoppableUpdate(_ error: DockerError, attempts: Int) -> TaskStatusUpdate {
        withContainer(
            update(
                .failed,
                message: "Could not stop the container: the engine failed \(attempts) kills (\(error.message)); "
                    + "it may still be running"))
    }

    /// The executor exits before the task ended (a fail-safe or the end of the shutdown grace period): TASK_KILLED
    /// when a kill or shutdown had been asked for, TASK_FAILED otherwise.
    func abandonedUpdate() -> TaskStatusUpdate {
        var state = TaskState.failed
        if case .killed = termination { state = .killed }
        if case .shutdown = termination { state = .killed }
        return withContainer(
            update(
                state, message: "The executor is exiting before the task ended, so its container is stopped now",
                reason: .executorTerminated))
    }

    /// "Container exited with status N", or for 129...159 (128 + a signal number) "terminated with signal".
    static func exitMessage(_ statusCode: Int) -> String {
        if (129...159).contains(statusCode) {
            return "Container terminated with signal \(statusCode - 128) (exit status \(statusCode))"
        }
        return "Container exited with status \(statusCode)"
    }

    private static func describe(_ statusCode: Int) -> String {
        "it exited with status \(statusCode)"
    }

    /// The clause after "because": why the executor stopped the task.
    private static func describe(_ cause: ShutdownCause) -> String {
        switch cause {
        case .executorShuttingDown:
            "the executor is shutting down"
        case .awsLeaseEnding(let role, let secondsLeft):
            "the lease of its AWS credentials (Vault role \(role)) ends in \(secondsLeft) s, when they stop working"
        }
    }

    private func update(_ state: TaskState, message: String, reason: TaskStatusReason? = nil) -> TaskStatusUpdate {
        TaskStatusUpdate(taskID: settings.taskID, state: state, message: message, reason: reason)
    }

    private func withContainer(_ status: TaskStatusUpdate) -> TaskStatusUpdate {
        guard let details else { return status }
        var status = status
        status.labels = [TaskStatusUpdate.Label(key: Self.containerIDLabel, value: details.id)]
        status.containerIPAddresses = details.ipAddresses
        return status
    }
}

extension Duration {
    /// `5s`, `1.5s`, `250ms`: how a grace period reads in a status message.
    var shortDescription: String {
        let (seconds, attoseconds) = components
        if attoseconds == 0 { return "\(seconds)s" }
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if seconds == 0 { return "\(milliseconds)ms" }
        let tenths = milliseconds / 100
        return "\(tenths / 10).\(tenths % 10)s"
    }
}
