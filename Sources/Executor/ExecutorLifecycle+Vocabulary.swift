/// The states, events and actions of `ExecutorLifecycle`, and the timings it is configured with.
extension ExecutorLifecycle {
    enum Phase: Equatable {
        /// Running tasks, or waiting for their terminal updates to be acknowledged.
        case serving
        /// SHUTDOWN (or a signal): every task is stopped within the shutdown grace period, and the shutdown deadline
        /// bounds the wait for acknowledgements, which a framework being torn down never sends.
        case shuttingDown
        /// The agent is gone for good: no acknowledgement can come, so a terminal update releases its task at once.
        case agentLost
        /// A timer ran out: the runners remove their containers, then the process exits with `status`.
        case cleaningUp(status: Int32, reason: String)
        /// The exit was performed; nothing happens any more.
        case exited
    }

    /// What became of a task's terminal update.
    enum TerminalUpdate: Equatable {
        /// Not sent yet: the task is running or stopping.
        case pending
        /// Handed to the agent connection, waiting for the agent's acknowledgement.
        case reported
        /// The agent accepted its POST (202) but has not acknowledged it yet.
        case delivered
        case acknowledged
        /// The agent refused it for good: it will never be acknowledged.
        case rejected

        /// Nothing more will happen to it.
        var isSettled: Bool { self == .acknowledged || self == .rejected }
    }

    /// What the lifecycle knows of one task.
    struct TaskRecord: Equatable {
        /// False for a task rejected without running (a second LAUNCH, a task of a LAUNCH_GROUP).
        var hasRunner: Bool
        var terminal: TerminalUpdate = .pending
        /// The runner has nothing left to do (its container is removed, or kept).
        var runnerFinished = false
        /// The runner was told that its terminal update is settled and it may clean up.
        var released = false

        var isDone: Bool { terminal.isSettled && (!hasRunner || runnerFinished) }
    }

    enum Event: Equatable {
        case launch(taskID: String)
        case launchGroup(taskIDs: [String])
        /// The agent's KILL; `grace` is the KILL's own kill policy, if it had one.
        case kill(taskID: String, grace: Duration?)
        /// SHUTDOWN from the agent, or SIGTERM/SIGINT/SIGHUP.
        case shutdown
        /// A task's terminal update was handed to the agent connection.
        case terminalReported(taskID: String)
        /// The agent accepted the POST of a task's terminal update (202).
        case terminalDelivered(taskID: String)
        case terminalAcknowledged(taskID: String)
        /// The agent answered the POST of an update with a status that retrying cannot change (400, 401, 415...).
        case updateRejected(taskID: String, terminal: Bool)
        case runnerFinished(taskID: String)
        /// The agent connection gave up (no checkpointing, or the recovery timeout passed).
        case agentLost
        case failSafeFired
        case shutdownDeadlineFired
        case cleanupLimitFired
    }

    enum Action: Equatable {
        /// Make a runner for the LAUNCH of `taskID` and launch it.
        case startRunner(taskID: String)
        /// Answer the task TASK_FAILED without running it.
        case rejectTask(taskID: String, message: String, reason: TaskStatusReason)
        case killRunner(taskID: String, grace: Duration?)
        case shutDownRunner(taskID: String, grace: Duration)
        /// The task's terminal update is settled (acknowledged, refused, or undeliverable): the runner may remove its
        /// container and finish.
        case releaseRunner(taskID: String)
        /// The executor exits without waiting any longer: the runner stops and removes its container now.
        case cleanUpRunner(taskID: String)
        case armFailSafe(after: Duration)
        case armShutdownDeadline(after: Duration)
        case armCleanupLimit(after: Duration)
        case warn(String)
        /// End the process; `reason` is logged (as an error unless the status is 0).
        case exit(status: Int32, reason: String)
    }

    /// The timings of the exit policy.
    struct Settings: Equatable {
        /// MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: how long the agent waits after SHUTDOWN before it kills the executor.
        var shutdownGracePeriod: Duration
        /// The longest wait for the acknowledgement of terminal updates once every task has stopped.
        var exitFailSafe: Duration = .seconds(60)
        /// Taken off the shutdown grace period for the tasks' stop, so that the terminal update, the removal of the
        /// container and the exit all fit before the agent's deadline.
        var shutdownReserve: Duration = .seconds(2)
        /// The longest the runners may take to remove their containers before a fail-safe exit.
        var cleanupLimit: Duration = .seconds(10)

        /// The grace period a SHUTDOWN gives each task's stop.
        var taskStopGrace: Duration { max(.zero, shutdownGracePeriod - shutdownReserve) }
        /// After SHUTDOWN, how long the executor waits for acknowledgements before it removes the containers and
        /// exits: half of the reserve is left for that.
        var shutdownDeadline: Duration { max(.zero, shutdownGracePeriod - shutdownReserve / 2) }
        /// The removal's share of what is left after the shutdown deadline.
        var shutdownCleanupLimit: Duration { min(cleanupLimit, shutdownReserve / 4) }
    }
}
