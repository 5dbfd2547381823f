/// The states, events and actions of `TaskLifecycle`, and what it is configured with.
extension TaskLifecycle {
    enum State: Equatable {
        case idle
        case checkingImage
        case pulling
        case creating
        /// Created; the exit wait is being registered before `start`.
        case arming(containerID: String)
        case starting(containerID: String)
        /// Started; the inspect for TASK_RUNNING's id and addresses is out.
        case inspecting(containerID: String)
        case running(containerID: String)
        /// Being stopped; `draining` while Sidecar drains before the stop.
        case stopping(containerID: String, draining: Bool)
        /// The container died of a SIGKILL nobody here sent; an inspect tells whether the kernel's OOM killer did.
        case checkingExit(containerID: String, exit: ContainerExit)
        /// The terminal update was sent; the container (if any, and not removed yet) waits for its ack.
        case terminated(containerID: String?)
        case removing(containerID: String)
        /// The executor exits before the task ended and containers are kept: the container is being killed.
        case killingBeforeExit(containerID: String)
        case finished
    }

    enum Event: Equatable {
        case launch
        case rejected(TaskInfoError)
        case imageChecked(present: Bool)
        case imageCheckFailed(DockerError)
        case pulled
        case pullFailed(DockerError)
        case created(containerID: String)
        case createFailed(DockerError)
        case waiting
        case waitFailed(DockerError)
        case started
        case startFailed(DockerError)
        case inspected(ContainerDetails)
        case inspectFailed(DockerError)
        case exited(ContainerExit)
        /// The inspect after an unexplained SIGKILL (false too when the inspect failed).
        case exitInspected(oomKilled: Bool)
        /// The agent's KILL, with the grace already chosen; `elapsed` is how long ago the first stop was asked of the
        /// engine (zero when none was), for a later KILL that shortens the stop.
        case kill(grace: Duration, elapsed: Duration = .zero)
        /// SHUTDOWN, a signal, or the executor's own reason (`cause`): stop without draining.
        case shutdown(grace: Duration, cause: ShutdownCause = .executorShuttingDown)
        case healthChanged(healthy: Bool)
        case healthFailed(message: String)
        /// A TaskInfo check's result worth a TASK_RUNNING update (`healthy` or `check_status`).
        case checkReported(CheckReport)
        /// The TaskInfo health check reached its threshold: the task is killed and ends TASK_KILLED, `healthy: false`.
        case healthCheckKill(message: String)
        /// `max_completion_time` ran out: the task is killed at once and ends TASK_FAILED.
        case maxCompletionTimeReached(limit: Duration)
        case drained
        case stopFailed(DockerError)
        /// The engine delivered a SIGKILL (or found the container not running).
        case killed
        case killFailed(DockerError)
        /// The pause before the next kill attempt is over.
        case killRetryDue
        /// The executor exits without waiting any longer: stop and remove the container now.
        case cleanUpBeforeExit
        case terminalAcknowledged
        case removed
    }

    enum Action: Equatable {
        case report(TaskStatusUpdate)
        case checkImage
        case pull
        case create
        case armWait(containerID: String, condition: WaitCondition)
        case cancelWait
        case start(containerID: String)
        case inspect(containerID: String)
        case inspectExit(containerID: String)
        case followLogs(containerID: String)
        case startHealth(containerID: String)
        case drain
        case stop(containerID: String, grace: Duration)
        case kill(containerID: String)
        /// Raise `killRetryDue` after this pause.
        case scheduleKillRetry(after: Duration)
        case containerExited
        case remove(containerID: String)
        /// Nothing is left to do for this task.
        case finish
    }

    /// Why the container is being stopped, which decides the terminal state.
    enum Termination: Equatable {
        case killed(grace: Duration)
        case shutdown(grace: Duration, cause: ShutdownCause)
        case healthFailure(message: String, grace: Duration)
        case healthCheckKill(message: String, grace: Duration)
        case maxCompletionTime(limit: Duration)
    }

    /// Why the executor stops a task nobody asked to kill; the terminal update (TASK_KILLED) names it.
    enum ShutdownCause: Equatable, Sendable {
        /// The agent's SHUTDOWN, the agent lost, or a signal.
        case executorShuttingDown
        /// The lease of the container's AWS credentials (EXECUTOR_AWS_ROLE) ends in `secondsLeft`: they stop
        /// working then, so the task is stopped before.
        case awsLeaseEnding(role: String, secondsLeft: Int)
    }

    /// What the lifecycle needs to know up front.
    struct Settings: Equatable {
        var taskID: String
        var image: String
        /// `force_pull_image`: pull even when the engine has the image.
        var forcePull = false
        /// The framework has the TASK_KILLING_STATE capability.
        var sendsKillingState = false
        var keepContainers = false
        /// The grace of a health-failure stop (the task's kill policy or EXECUTOR_KILL_TASK_TIMEOUT).
        var defaultGrace: Duration = .seconds(5)
        /// A TaskInfo health check runs: its results set `healthy`, and Sidecar's verdict changes are not reported
        /// (Sidecar's failure policy still fails the task).
        var healthCheckSetsHealthy = false
        /// Consecutive broken waits tolerated before the container is declared lost (the supervisor spaces the
        /// re-registrations out, so this rides out an engine restart).
        var maxWaitFailures = 5
        /// The pause after the first failed kill; doubled for each further one, at most 8 s.
        var killRetryDelay: Duration = .seconds(1)
        /// Kills tried after a failed stop before the container is given up as unstoppable (15 s of pauses with the
        /// default delay).
        var maxKillAttempts = 5
    }
}

extension TaskLifecycle.Termination {
    var grace: Duration {
        switch self {
        case .killed(let grace), .shutdown(let grace, _), .healthFailure(_, let grace), .healthCheckKill(_, let grace):
            grace
        case .maxCompletionTime: .zero
        }
    }

    /// The same reason with a shorter grace period (a later KILL shortens the stop).
    func withGrace(_ grace: Duration) -> Self {
        switch self {
        case .killed: .killed(grace: grace)
        case .shutdown(_, let cause): .shutdown(grace: grace, cause: cause)
        case .healthFailure(let message, _): .healthFailure(message: message, grace: grace)
        case .healthCheckKill(let message, _): .healthCheckKill(message: message, grace: grace)
        // Already killed without a grace period.
        case .maxCompletionTime: self
        }
    }
}

extension TaskLifecycle {
    /// A process's exit status after SIGKILL (128 + 9).
    static let sigkillStatus = 137

    /// The terminal update is out: only the acknowledgement and the clean-up are left.
    var isTerminal: Bool {
        switch state {
        case .terminated, .removing, .killingBeforeExit, .finished: true
        default: false
        }
    }
}
