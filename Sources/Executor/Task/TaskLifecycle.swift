/// One task's lifecycle as a pure state machine: events in, actions out, no I/O and no clock.
///
/// The transitions live in one `switch (state, event)` in `handle(_:)`; the supervisor performs the actions and
/// feeds the results back as events. An event that does not fit the state (a late callback) yields no action.
///
///     idle → checkingImage → [pulling] → creating → arming (wait registered) → starting → inspecting → running
///     running → stopping (drain first for a KILL) → exit → [checkingExit] → terminated → ack → [removing] → finished
///
/// A failed stop escalates to a SIGKILL, retried after growing pauses until the engine delivers it (the wait then
/// reports the exit) or `maxKillAttempts` have failed (the task then fails as unstoppable). `cleanUpBeforeExit`
/// leaves any state for `removing` (or `killingBeforeExit` when containers are kept), then `finished`.
///
/// The terminal update is produced by the same `handle` call that receives the wait's answer.
struct TaskLifecycle {
    let settings: Settings
    private(set) var state: State = .idle
    private(set) var termination: Termination?
    /// TASK_RUNNING has been reported.
    private(set) var reportedRunning = false
    var details: ContainerDetails?
    private var waitFailures = 0
    /// SIGKILLs asked of the engine after a failed stop.
    private var killAttempts = 0
    /// The grace period of the stop last asked of the engine, once one was.
    private var stopGrace: Duration?

    init(settings: Settings) {
        self.settings = settings
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
            if present && !settings.forcePull {
                state = .creating
                return [.create]
            }
            state = .pulling
            return [.pull]
        case (.checkingImage, .imageCheckFailed(let error)):
            return launchFailed("Failed to look up image \(settings.image): \(error.message)", containerID: nil)
        case (.pulling, .pulled):
            if termination != nil { return killedDuringLaunch(containerID: nil) }
            state = .creating
            return [.create]
        case (.pulling, .pullFailed(let error)):
            if termination != nil { return killedDuringLaunch(containerID: nil) }
            return launchFailed("Failed to pull image \(settings.image): \(error.message)", containerID: nil)
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
                return [.followLogs(containerID: containerID), stopAction(containerID, grace: termination.grace)]
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
            guard !settings.healthCheckSetsHealthy else { return [] }
            return [.report(runningUpdate(healthy: healthy))]
        case (.running, .checkReported(let report)):
            return [.report(checkUpdate(report))]
        case (.running(let containerID), .healthCheckKill(let message)):
            let grace = settings.defaultGrace
            termination = .healthCheckKill(message: message, grace: grace)
            state = .stopping(containerID: containerID, draining: false)
            return killingUpdate(grace: grace) + [stopAction(containerID, grace: grace)]
        case (.running(let containerID), .maxCompletionTimeReached(let limit)),
            (.inspecting(let containerID), .maxCompletionTimeReached(let limit)):
            termination = .maxCompletionTime(limit: limit)
            state = .stopping(containerID: containerID, draining: false)
            return killingUpdate(grace: .zero) + [stopAction(containerID, grace: .zero)]
        case (.checkingImage, .maxCompletionTimeReached(let limit)), (.pulling, .maxCompletionTimeReached(let limit)),
            (.creating, .maxCompletionTimeReached(let limit)), (.arming, .maxCompletionTimeReached(let limit)),
            (.starting, .maxCompletionTimeReached(let limit)):
            guard termination == nil else { return [] }
            termination = .maxCompletionTime(limit: limit)
            // Before any container exists the task ends now; otherwise when the call in flight completes, as a KILL.
            return state == .checkingImage || state == .pulling ? killedDuringLaunch(containerID: nil) : []
        case (.running(let containerID), .healthFailed(let message)):
            termination = .healthFailure(message: message, grace: settings.defaultGrace)
            state = .stopping(containerID: containerID, draining: false)
            return [stopAction(containerID, grace: settings.defaultGrace)]
        case (.running(let containerID), .kill(let grace, _)):
            termination = .killed(grace: grace)
            state = .stopping(containerID: containerID, draining: true)
            return killingUpdate(grace: grace) + [.drain]
        case (.inspecting(let containerID), .kill(let grace, _)):
            // Health checking has not started, so there is nothing to drain.
            termination = .killed(grace: grace)
            state = .stopping(containerID: containerID, draining: false)
            return killingUpdate(grace: grace) + [stopAction(containerID, grace: grace)]
        case (.running(let containerID), .shutdown(let grace, let cause)),
            (.inspecting(let containerID), .shutdown(let grace, let cause)):
            termination = .shutdown(grace: grace, cause: cause)
            state = .stopping(containerID: containerID, draining: false)
            return [stopAction(containerID, grace: grace)]

        // A KILL or SHUTDOWN before any container exists: end now. A pull may take minutes (a stalled registry), and
        // neither a scheduler's KILL nor the agent's SHUTDOWN grace period should wait for it; the late answer finds
        // the task terminated and is ignored (the engine finishes the pull into its cache).
        case (.checkingImage, .kill(let grace, _)), (.pulling, .kill(let grace, _)):
            guard termination == nil else { return [] }
            termination = .killed(grace: grace)
            return killingUpdate(grace: grace) + killedDuringLaunch(containerID: nil)
        case (.checkingImage, .shutdown(let grace, let cause)), (.pulling, .shutdown(let grace, let cause)):
            if termination == nil { termination = .shutdown(grace: grace, cause: cause) }
            return killedDuringLaunch(containerID: nil)
        // A KILL or SHUTDOWN while a container is created, armed or started: acted on when the call completes.
        case (.creating, .kill(let grace, _)), (.arming, .kill(let grace, _)), (.starting, .kill(let grace, _)):
            guard termination == nil else { return [] }
            termination = .killed(grace: grace)
            return killingUpdate(grace: grace)
        case (.creating, .shutdown(let grace, let cause)), (.arming, .shutdown(let grace, let cause)),
            (.starting, .shutdown(let grace, let cause)):
            if termination == nil { termination = .shutdown(grace: grace, cause: cause) }
            return []

        // origin: stopping
        case (.stopping(let containerID, draining: true), .drained):
            state = .stopping(containerID: containerID, draining: false)
            return [stopAction(containerID, grace: termination?.grace ?? settings.defaultGrace)]
        case (.stopping(let containerID, draining: true), .shutdown(let grace, _)):
            // Shutting down leaves no time for the rest of the drain.
            state = .stopping(containerID: containerID, draining: false)
            return [stopAction(containerID, grace: grace)]
        case (.stopping(let containerID, draining: false), .shutdown(let grace, let cause)):
            // A SHUTDOWN during a longer stop (a KILL's 60 s grace): the agent won't wait, so the grace is shortened.
            guard let current = stopGrace, grace < current else { return [] }
            if case .killed = termination { termination = .shutdown(grace: grace, cause: cause) }
            return [stopAction(containerID, grace: grace)]
        case (.stopping(let containerID, let draining), .kill(let grace, let elapsed)):
            // A later KILL can only shorten the stop: its grace counts from the first stop, so the engine is asked
            // again with what is left of it (after a drain, the stop to come takes the shorter grace).
            guard let current = termination, grace < current.grace else { return [] }
            termination = current.withGrace(grace)
            return draining ? [] : [stopAction(containerID, grace: max(.zero, grace - elapsed))]
        case (.stopping(let containerID, _), .stopFailed):
            guard killAttempts == 0 else { return [] }
            killAttempts = 1
            return [.kill(containerID: containerID)]
        case (.stopping, .killFailed(.engine(status: 404, _))):
            // The container is gone; the wait reports the end.
            return []
        case (.stopping(let containerID, _), .killFailed(let error)):
            guard killAttempts < settings.maxKillAttempts else {
                state = .terminated(containerID: containerID)
                return [.cancelWait, .report(unstoppableUpdate(error, attempts: killAttempts)), .containerExited]
            }
            let pause = settings.killRetryDelay * (1 << min(killAttempts - 1, 4))
            return [.scheduleKillRetry(after: min(pause, .seconds(8)))]
        case (.stopping(let containerID, _), .killRetryDue):
            killAttempts += 1
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
            guard waitFailures >= settings.maxWaitFailures else {
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
            if let containerID, !settings.keepContainers {
                state = .removing(containerID: containerID)
                return [.remove(containerID: containerID)]
            }
            state = .finished
            return [.finish]
        case (.removing, .removed), (.killingBeforeExit, .killed), (.killingBeforeExit, .killFailed):
            state = .finished
            return [.finish]

        // origin: any state, when the executor exits without waiting any longer
        case (.idle, .cleanUpBeforeExit), (.checkingImage, .cleanUpBeforeExit), (.pulling, .cleanUpBeforeExit),
            (.creating, .cleanUpBeforeExit):
            // No container yet (one still being created is left to the engine: the process is about to end).
            state = .finished
            return [.report(abandonedUpdate()), .finish]
        case (.arming(let containerID), .cleanUpBeforeExit), (.starting(let containerID), .cleanUpBeforeExit),
            (.inspecting(let containerID), .cleanUpBeforeExit), (.running(let containerID), .cleanUpBeforeExit),
            (.stopping(let containerID, _), .cleanUpBeforeExit),
            (.checkingExit(let containerID, _), .cleanUpBeforeExit):
            let ending: [Action] = [.cancelWait, .report(abandonedUpdate()), .containerExited]
            if settings.keepContainers {
                state = .killingBeforeExit(containerID: containerID)
                return ending + [.kill(containerID: containerID)]
            }
            state = .removing(containerID: containerID)
            return ending + [.remove(containerID: containerID)]
        case (.terminated, .cleanUpBeforeExit):
            // The same as the acknowledgement: the container has stopped already.
            return handle(.terminalAcknowledged)

        default:
            // A late or repeated event (a second KILL, a callback for a phase already left): nothing to do.
            return []
        }
    }

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
            taskID: settings.taskID, state: .failed, message: message, reason: .containerLaunchFailed)
        return (containerID == nil ? [] : [.cancelWait]) + [.report(update)]
    }

    private mutating func killedDuringLaunch(containerID: String?) -> [Action] {
        state = .terminated(containerID: containerID)
        if case .maxCompletionTime(let limit) = termination { return [.report(maxCompletionUpdate(limit, exit: nil))] }
        return [.report(killedDuringLaunchUpdate())]
    }
}
