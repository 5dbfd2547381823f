/// One task's lifecycle as a pure state machine: events in, actions out, no I/O and no clock.
///
/// The transitions live in one `switch (state, event)` in `handle(_:)`; the supervisor performs the actions and
/// feeds the results back as events. An event that does not fit the state (a late callback) yields no action.
///
///     idle → checkingImage → [pulling] → creating → arming (wait registered) → starting → inspecting → running
///     running → stopping (drain first for a KILL) → exit → [checkingExit] → terminated → ack → [removing] → finished
///
/// The terminal update is produced by the same `handle` call that receives the wait's answer.
struct TaskLifecycle {
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
        /// The agent's KILL, with the grace already chosen.
        case kill(grace: Duration)
        /// SHUTDOWN or a signal: stop without draining.
        case shutdown(grace: Duration)
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
        case containerExited
        case remove(containerID: String)
        /// Nothing is left to do for this task.
        case finish
    }

    /// Why the container is being stopped, which decides the terminal state.
    enum Termination: Equatable {
        case killed(grace: Duration)
        case shutdown(grace: Duration)
        case healthFailure(message: String, grace: Duration)
        case healthCheckKill(message: String, grace: Duration)
        case maxCompletionTime(limit: Duration)
    }

    /// What the lifecycle needs to know up front.
    struct Configuration: Equatable {
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
    }

    let configuration: Configuration
    private(set) var state: State = .idle
    private(set) var termination: Termination?
    /// TASK_RUNNING has been reported.
    private(set) var reportedRunning = false
    var details: ContainerDetails?
    private var waitFailures = 0
    /// A failed stop was followed by a SIGKILL; not repeated.
    private var escalatedToKill = false
    /// The grace period of the stop last asked of the engine, once one was.
    private var stopGrace: Duration?

    init(configuration: Configuration) {
        self.configuration = configuration
    }

    var isTerminal: Bool {
        switch state {
        case .terminated, .removing, .finished: true
        default: false
        }
    }
}

// MARK: - Transitions

extension TaskLifecycle {
    /// Applies one event and returns the actions to perform, in order.
    mutating func handle(_ event: Event) -> [Action] {
        switch (state, event) {
        // origin: idle
        case (.idle, .launch):
            state = .checkingImage
            return [.report(startingUpdate()), .checkImage]
        case (.idle, .rejected(let error)):
            state = .terminated(containerID: nil)
            return [.report(invalidUpdate(error))]

        // origin: preparing the image and creating (no container yet)
        case (.checkingImage, .imageChecked(let present)):
            if termination != nil { return killedDuringLaunch(containerID: nil) }
            if present && !configuration.forcePull {
                state = .creating
                return [.create]
            }
            state = .pulling
            return [.pull]
        case (.checkingImage, .imageCheckFailed(let error)):
            return launchFailed("Failed to look up image \(configuration.image): \(error.message)", containerID: nil)
        case (.pulling, .pulled):
            if termination != nil { return killedDuringLaunch(containerID: nil) }
            state = .creating
            return [.create]
        case (.pulling, .pullFailed(let error)):
            if termination != nil { return killedDuringLaunch(containerID: nil) }
            return launchFailed("Failed to pull image \(configuration.image): \(error.message)", containerID: nil)
        case (.creating, .created(let containerID)):
            details = ContainerDetails(id: containerID, ipAddresses: [])
            if termination != nil { return killedDuringLaunch(containerID: containerID) }
            state = .arming(containerID: containerID)
            return [.armWait(containerID: containerID, condition: .nextExit)]
        case (.creating, .createFailed(let error)):
            if termination != nil { return killedDuringLaunch(containerID: nil) }
            return launchFailed("Failed to create the container: \(error.message)", containerID: nil)

        // origin: arming, starting, inspecting
        case (.arming(let containerID), .waiting):
            if termination != nil { return [.cancelWait] + killedDuringLaunch(containerID: containerID) }
            state = .starting(containerID: containerID)
            return [.start(containerID: containerID)]
        case (.arming(let containerID), .waitFailed(let error)):
            return launchFailed("Failed to watch the container: \(error.message)", containerID: containerID)
        case (.arming(let containerID), .exited(let exit)):
            return launchFailed(
                "The container exited with status \(exit.statusCode) before it was started", containerID: containerID)
        case (.starting(let containerID), .started):
            if let termination {
                state = .stopping(containerID: containerID, draining: false)
                return [
                    .followLogs(containerID: containerID), stopAction(containerID, grace: termination.grace),
                ]
            }
            state = .inspecting(containerID: containerID)
            return [.followLogs(containerID: containerID), .inspect(containerID: containerID)]
        case (.starting(let containerID), .startFailed(let error)):
            if termination != nil { return [.cancelWait] + killedDuringLaunch(containerID: containerID) }
            return launchFailed("Failed to start the container: \(error.message)", containerID: containerID)
        case (.inspecting(let containerID), .inspected(let details)):
            self.details = details
            return becomeRunning(containerID)
        case (.inspecting(let containerID), .inspectFailed):
            return becomeRunning(containerID)

        // origin: running
        case (.running, .healthChanged(let healthy)):
            guard !configuration.healthCheckSetsHealthy else { return [] }
            return [.report(runningUpdate(healthy: healthy))]
        case (.running, .checkReported(let report)):
            return [.report(checkUpdate(report))]
        case (.running(let containerID), .healthCheckKill(let message)):
            let grace = configuration.defaultGrace
            termination = .healthCheckKill(message: message, grace: grace)
            state = .stopping(containerID: containerID, draining: false)
            return killingUpdate(grace: grace) + [stopAction(containerID, grace: grace)]
        case (.running(let containerID), .maxCompletionTimeReached(let limit)),
            (.inspecting(let containerID), .maxCompletionTimeReached(let limit)):
            termination = .maxCompletionTime(limit: limit)
            state = .stopping(containerID: containerID, draining: false)
            return killingUpdate(grace: .zero) + [stopAction(containerID, grace: .zero)]
        case (.checkingImage, .maxCompletionTimeReached(let limit)), (.pulling, .maxCompletionTimeReached(let limit)):
            guard termination == nil else { return [] }
            termination = .maxCompletionTime(limit: limit)
            return killedDuringLaunch(containerID: nil)
        case (.creating, .maxCompletionTimeReached(let limit)), (.arming, .maxCompletionTimeReached(let limit)),
            (.starting, .maxCompletionTimeReached(let limit)):
            // Acted on when the call completes, as a KILL is.
            guard termination == nil else { return [] }
            termination = .maxCompletionTime(limit: limit)
            return []
        case (.running(let containerID), .healthFailed(let message)):
            termination = .healthFailure(message: message, grace: configuration.defaultGrace)
            state = .stopping(containerID: containerID, draining: false)
            return [stopAction(containerID, grace: configuration.defaultGrace)]
        case (.running(let containerID), .kill(let grace)):
            termination = .killed(grace: grace)
            state = .stopping(containerID: containerID, draining: true)
            return killingUpdate(grace: grace) + [.drain]
        case (.inspecting(let containerID), .kill(let grace)):
            // Health checking has not started, so there is nothing to drain.
            termination = .killed(grace: grace)
            state = .stopping(containerID: containerID, draining: false)
            return killingUpdate(grace: grace) + [stopAction(containerID, grace: grace)]
        case (.running(let containerID), .shutdown(let grace)), (.inspecting(let containerID), .shutdown(let grace)):
            termination = .shutdown(grace: grace)
            state = .stopping(containerID: containerID, draining: false)
            return [stopAction(containerID, grace: grace)]

        // A KILL or SHUTDOWN before any container exists: end now. A pull may take minutes (a stalled registry), and
        // neither a scheduler's KILL nor the agent's SHUTDOWN grace period should wait for it; the late answer finds
        // the task terminated and is ignored (the engine finishes the pull into its cache).
        case (.checkingImage, .kill(let grace)), (.pulling, .kill(let grace)):
            guard termination == nil else { return [] }
            termination = .killed(grace: grace)
            return killingUpdate(grace: grace) + killedDuringLaunch(containerID: nil)
        case (.checkingImage, .shutdown(let grace)), (.pulling, .shutdown(let grace)):
            if termination == nil { termination = .shutdown(grace: grace) }
            return killedDuringLaunch(containerID: nil)
        // A KILL or SHUTDOWN while a container is being created, armed or started: acted on when the call completes,
        // so that the container is stopped and removed rather than left behind.
        case (.creating, .kill(let grace)), (.arming, .kill(let grace)), (.starting, .kill(let grace)):
            guard termination == nil else { return [] }
            termination = .killed(grace: grace)
            return killingUpdate(grace: grace)
        case (.creating, .shutdown(let grace)), (.arming, .shutdown(let grace)), (.starting, .shutdown(let grace)):
            if termination == nil { termination = .shutdown(grace: grace) }
            return []

        // origin: stopping
        case (.stopping(let containerID, draining: true), .drained):
            state = .stopping(containerID: containerID, draining: false)
            return [stopAction(containerID, grace: termination?.grace ?? configuration.defaultGrace)]
        case (.stopping(let containerID, draining: true), .shutdown(let grace)):
            // Shutting down leaves no time for the rest of the drain.
            state = .stopping(containerID: containerID, draining: false)
            return [stopAction(containerID, grace: grace)]
        case (.stopping(let containerID, draining: false), .shutdown(let grace)):
            // A SHUTDOWN (or a signal) while a longer stop runs, e.g. a KILL's 60 s grace period: the agent will
            // not wait that long, so the engine is asked again with the shorter grace.
            guard let current = stopGrace, grace < current else { return [] }
            if case .killed = termination { termination = .shutdown(grace: grace) }
            return [stopAction(containerID, grace: grace)]
        case (.stopping(let containerID, _), .stopFailed):
            guard !escalatedToKill else { return [] }
            escalatedToKill = true
            return [.kill(containerID: containerID)]

        // The wait's answer, from any state where the container may run.
        case (.starting(let containerID), .exited(let exit)), (.inspecting(let containerID), .exited(let exit)),
            (.running(let containerID), .exited(let exit)), (.stopping(let containerID, _), .exited(let exit)):
            if exit.statusCode == Self.sigkillStatus && termination == nil {
                // Killed, and not by us: a memory limit is the usual reason, which Mesos has its own reason for.
                state = .checkingExit(containerID: containerID, exit: exit)
                return [.inspectExit(containerID: containerID)]
            }
            return exited(containerID, exit, oomKilled: false)
        case (.checkingExit(let containerID, let exit), .exitInspected(let oomKilled)):
            return exited(containerID, exit, oomKilled: oomKilled)
        case (.starting(let containerID), .waitFailed(let error)),
            (.inspecting(let containerID), .waitFailed(let error)),
            (.running(let containerID), .waitFailed(let error)),
            (.stopping(let containerID, _), .waitFailed(let error)):
            waitFailures += 1
            guard waitFailures >= configuration.maxWaitFailures else {
                return [.armWait(containerID: containerID, condition: .notRunning)]
            }
            state = .terminated(containerID: containerID)
            return [.report(lostUpdate(error)), .containerExited]

        case (.starting, .waiting), (.inspecting, .waiting), (.running, .waiting), (.stopping, .waiting):
            // A re-registered wait after a broken one: the engine is back.
            waitFailures = 0
            return []

        // origin: terminated
        case (.terminated(let containerID), .terminalAcknowledged):
            if let containerID, !configuration.keepContainers {
                state = .removing(containerID: containerID)
                return [.remove(containerID: containerID)]
            }
            state = .finished
            return [.finish]
        case (.removing, .removed):
            state = .finished
            return [.finish]

        default:
            // A late or repeated event (a second KILL, a callback for a phase already left): nothing to do.
            return []
        }
    }

    /// A process's exit status after SIGKILL (128 + 9).
    static let sigkillStatus = 137

    /// The terminal update for the container's exit (after TASK_RUNNING, if that was never sent).
    private mutating func exited(_ containerID: String, _ exit: ContainerExit, oomKilled: Bool) -> [Action] {
        var actions: [Action] = []
        if !reportedRunning && termination == nil {
            reportedRunning = true
            actions.append(.report(runningUpdate(healthy: nil)))
        }
        state = .terminated(containerID: containerID)
        return actions + [.report(exitUpdate(exit, oomKilled: oomKilled)), .containerExited]
    }

    /// The stop action, remembering its grace period.
    private mutating func stopAction(_ containerID: String, grace: Duration) -> Action {
        stopGrace = grace
        return .stop(containerID: containerID, grace: grace)
    }

    private mutating func becomeRunning(_ containerID: String) -> [Action] {
        state = .running(containerID: containerID)
        reportedRunning = true
        return [.report(runningUpdate(healthy: nil)), .startHealth(containerID: containerID)]
    }

    private mutating func launchFailed(_ message: String, containerID: String?) -> [Action] {
        state = .terminated(containerID: containerID)
        let update = TaskStatusUpdate(
            taskID: configuration.taskID, state: .failed, message: message, reason: .containerLaunchFailed)
        return (containerID == nil ? [] : [.cancelWait]) + [.report(update)]
    }

    private mutating func killedDuringLaunch(containerID: String?) -> [Action] {
        state = .terminated(containerID: containerID)
        if case .maxCompletionTime(let limit) = termination { return [.report(maxCompletionUpdate(limit, exit: nil))] }
        return [.report(killedDuringLaunchUpdate())]
    }

    private func killingUpdate(grace: Duration) -> [Action] {
        configuration.sendsKillingState ? [.report(killingStatusUpdate(grace: grace))] : []
    }
}

extension TaskLifecycle.Termination {
    var grace: Duration {
        switch self {
        case .killed(let grace), .shutdown(let grace), .healthFailure(_, let grace), .healthCheckKill(_, let grace):
            grace
        case .maxCompletionTime: .zero
        }
    }
}
