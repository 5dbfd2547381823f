/// The executor's exit policy as a pure state machine: events in, actions out, no I/O and no clock. `MesosExecutor`
/// performs the actions and feeds timers and runner callbacks back as events.
///
/// One task per executor, like Mesos's own docker executor: a second LAUNCH is answered TASK_FAILED, and so is each
/// task of a LAUNCH_GROUP (task groups are for the default executor). When the process exits:
/// - every task's terminal update acknowledged and its runner finished (container removed) → exit 0 at once; exit 1
///   instead if the agent refused one of the executor's updates for good;
/// - SHUTDOWN (or a signal) → the tasks stop with the shutdown grace period less `shutdownReserve`; then the same
///   rule, but at the shutdown deadline (the grace less half the reserve) the executor stops waiting for
///   acknowledgements: the runners remove their containers and the process exits 0 if the agent received (202)
///   every terminal update (a framework being torn down never acknowledges: the agent drops its updates). With no
///   task, exit 0;
/// - the agent lost for good → the tasks stop, each is released as soon as its terminal update is out (no
///   acknowledgement can come), and the process exits 1 once every runner has finished;
/// - the fail-safe: once every task has stopped (or the agent is lost), the executor waits `exitFailSafe` at most
///   (plus the tasks' stop grace when the agent is lost, so a long stop is never cut short); then the runners remove
///   their containers and the process exits 1.
/// A removal before a fail-safe or deadline exit may take `cleanupLimit` at most (its share of the reserve after a
/// SHUTDOWN); the exit happens then whatever the engine does.
///
/// The transitions live in one `switch (phase, event)` in `handle(_:)`; `nextSteps()` applies the rules above after
/// each event that changes a task.
struct ExecutorLifecycle {
    static let taskGroupsUnsupported = "task groups are not supported by sidecar-executor"

    let settings: Settings
    private(set) var phase: Phase = .serving
    /// Every task seen, by id.
    private(set) var tasks: [String: TaskRecord] = [:]
    /// The task this executor runs; any other is rejected.
    private(set) var runningTaskID: String?
    /// The agent refused an update for good: the exit status is 1 whatever else happens.
    private(set) var updateLost = false
    private var failSafeArmed = false

    init(settings: Settings) {
        self.settings = settings
    }

    /// Applies one event and returns the actions to perform, in order.
    mutating func handle(_ event: Event) -> [Action] {
        switch (phase, event) {
        case (.exited, _):
            return []

        // origin: cleaning up before a fail-safe or deadline exit; only the runners' ends and the limit matter.
        case (.cleaningUp, .runnerFinished(let taskID)):
            tasks[taskID]?.runnerFinished = true
            return nextSteps()
        case (.cleaningUp(let status, let reason), .cleanupLimitFired):
            return exit(status, reason + " (the containers' removal did not finish in time)")
        case (.cleaningUp, _):
            return []

        // origin: launches
        case (.serving, .launch(let taskID)):
            if tasks[taskID] != nil { return [.warn("Ignoring a repeated LAUNCH of task \(taskID)")] }
            if let running = runningTaskID {
                return reject(
                    taskID, "sidecar-executor runs one task per executor, and it already runs \(running)", .taskInvalid)
            }
            runningTaskID = taskID
            tasks[taskID] = TaskRecord(hasRunner: true)
            return [.startRunner(taskID: taskID)]
        case (_, .launch(let taskID)):
            if tasks[taskID] != nil { return [.warn("Ignoring a repeated LAUNCH of task \(taskID)")] }
            return reject(taskID, "the executor is shutting down", .executorTerminated)
        case (_, .launchGroup(let taskIDs)):
            return taskIDs.flatMap { tasks[$0] == nil ? reject($0, Self.taskGroupsUnsupported, .taskInvalid) : [] }

        // origin: the agent's commands
        case (_, .kill(let taskID, let grace)):
            guard let record = tasks[taskID], record.hasRunner else {
                return [.warn("Ignoring a KILL of task \(taskID), which this executor does not run")]
            }
            return record.terminal == .pending ? [.killRunner(taskID: taskID, grace: grace)] : []
        case (.serving, .shutdown):
            phase = .shuttingDown
            let stops = pendingRunners().map { Action.shutDownRunner(taskID: $0, grace: settings.taskStopGrace) }
            let next = nextSteps()
            if next.contains(where: { if case .exit = $0 { true } else { false } }) { return stops + next }
            return stops + [.armShutdownDeadline(after: settings.shutdownDeadline)] + next
        case (.shuttingDown, .shutdown), (.agentLost, .shutdown):
            // Already stopping every task; a repeated SHUTDOWN or signal changes nothing.
            return []

        // origin: the tasks' terminal updates
        case (.agentLost, .terminalReported(let taskID)):
            guard tasks[taskID]?.terminal == .pending else { return [] }
            tasks[taskID]?.terminal = .reported
            return release(taskID) + nextSteps()
        case (_, .terminalReported(let taskID)):
            guard tasks[taskID]?.terminal == .pending else { return [] }
            tasks[taskID]?.terminal = .reported
            return nextSteps()
        case (_, .terminalDelivered(let taskID)):
            if tasks[taskID]?.terminal == .reported { tasks[taskID]?.terminal = .delivered }
            return []
        case (_, .terminalAcknowledged(let taskID)):
            guard let record = tasks[taskID], !record.terminal.isSettled else { return [] }
            tasks[taskID]?.terminal = .acknowledged
            return release(taskID) + nextSteps()
        case (_, .updateRejected(let taskID, let terminal)):
            updateLost = true
            guard let record = tasks[taskID], !record.terminal.isSettled else { return nextSteps() }
            if terminal {
                tasks[taskID]?.terminal = .rejected
                return release(taskID) + nextSteps()
            }
            // The agent refuses this executor's updates: the task cannot be run unseen, so it is stopped.
            guard record.hasRunner, record.terminal == .pending, phase == .serving else { return nextSteps() }
            return [.shutDownRunner(taskID: taskID, grace: settings.taskStopGrace)] + nextSteps()
        case (_, .runnerFinished(let taskID)):
            tasks[taskID]?.runnerFinished = true
            return nextSteps()

        // origin: the agent lost
        case (.agentLost, .agentLost):
            return []
        case (_, .agentLost):
            let stopping = phase == .shuttingDown
            phase = .agentLost
            var actions = tasks.keys.sorted().filter { tasks[$0]?.terminal == .reported }.flatMap { release($0) }
            if !stopping {
                actions += pendingRunners().map { .shutDownRunner(taskID: $0, grace: settings.taskStopGrace) }
            }
            if !failSafeArmed {
                failSafeArmed = true
                actions.append(.armFailSafe(after: settings.exitFailSafe + settings.taskStopGrace))
            }
            return actions + nextSteps()

        // origin: timers
        case (.agentLost, .failSafeFired):
            return cleanUp(1, "The tasks did not stop within the fail-safe after the agent was lost; exiting anyway")
        case (_, .failSafeFired):
            return cleanUp(
                1,
                "No acknowledgement of the terminal update within \(settings.exitFailSafe.shortDescription); exiting anyway"
            )
        case (.shuttingDown, .shutdownDeadlineFired):
            guard tasks.values.allSatisfy({ $0.terminal != .pending }) else {
                return cleanUp(1, "Shut down before every task had ended within the shutdown grace period")
            }
            if updateLost { return cleanUp(1, "Shut down, but the agent refused an update of this executor") }
            guard tasks.values.allSatisfy({ $0.terminal == .delivered || $0.terminal.isSettled }) else {
                return cleanUp(1, "Shut down, but the agent did not receive every terminal update")
            }
            return cleanUp(0, "Shut down: the agent received every terminal update but did not acknowledge them all")
        case (.agentLost, .shutdownDeadlineFired):
            return cleanUp(1, "The agent is lost and the shutdown grace period is over; exiting")
        case (.serving, .shutdownDeadlineFired), (_, .cleanupLimitFired):
            // A timer of a phase already left.
            return []
        }
    }

    /// The exit rules of the current phase, applied after anything that changes a task.
    private mutating func nextSteps() -> [Action] {
        let records = Array(tasks.values)
        switch phase {
        case .serving:
            guard !records.isEmpty else { return [] }
            if records.allSatisfy(\.isDone) { return exitAfterAcknowledgements() }
            guard !failSafeArmed, records.allSatisfy({ $0.terminal != .pending }) else { return [] }
            failSafeArmed = true
            return [.armFailSafe(after: settings.exitFailSafe)]
        case .shuttingDown:
            guard records.allSatisfy(\.isDone) else { return [] }
            return records.isEmpty ? exit(0, "Shut down with no task; exiting") : exitAfterAcknowledgements()
        case .agentLost:
            guard records.allSatisfy({ $0.terminal != .pending && (!$0.hasRunner || $0.runnerFinished) }) else {
                return []
            }
            return exit(1, "The agent is lost and every task has stopped; exiting")
        case .cleaningUp(let status, let reason):
            guard records.allSatisfy({ !$0.hasRunner || $0.runnerFinished }) else { return [] }
            return exit(status, reason)
        case .exited:
            return []
        }
    }

    private mutating func exitAfterAcknowledgements() -> [Action] {
        if updateLost {
            return exit(1, "Every task has ended, but the agent refused an update of this executor; exiting")
        }
        return exit(0, "Every task's terminal update is acknowledged; exiting")
    }

    /// Stops waiting: runners still busy remove their containers first, within the cleanup limit.
    private mutating func cleanUp(_ status: Int32, _ reason: String) -> [Action] {
        let shuttingDown = phase == .shuttingDown
        phase = .cleaningUp(status: status, reason: reason)
        let busy = tasks.keys.sorted().filter { tasks[$0].map { $0.hasRunner && !$0.runnerFinished } ?? false }
        guard !busy.isEmpty else { return exit(status, reason) }
        let limit = shuttingDown ? settings.shutdownCleanupLimit : settings.cleanupLimit
        return busy.map { .cleanUpRunner(taskID: $0) } + [.armCleanupLimit(after: limit)]
    }

    private mutating func exit(_ status: Int32, _ reason: String) -> [Action] {
        phase = .exited
        return [.exit(status: status, reason: reason)]
    }

    private mutating func reject(_ taskID: String, _ message: String, _ reason: TaskStatusReason) -> [Action] {
        tasks[taskID] = TaskRecord(hasRunner: false)
        return [.rejectTask(taskID: taskID, message: message, reason: reason)]
    }

    private mutating func release(_ taskID: String) -> [Action] {
        guard let record = tasks[taskID], record.hasRunner, !record.released else { return [] }
        tasks[taskID]?.released = true
        return [.releaseRunner(taskID: taskID)]
    }

    /// Tasks with a runner whose terminal update has not been sent, in a stable order.
    private func pendingRunners() -> [String] {
        tasks.keys.sorted().filter { tasks[$0].map { $0.hasRunner && $0.terminal == .pending } ?? false }
    }
}
