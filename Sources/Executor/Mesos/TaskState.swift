/// The Mesos task states an executor reports (mesos.proto v1 `TaskState`); raw values are the wire spellings.
///
/// `TASK_STAGING` is deliberately absent: the agent rejects it from executors.
enum TaskState: String, Sendable, CaseIterable {
    case starting = "TASK_STARTING"
    case running = "TASK_RUNNING"
    case killing = "TASK_KILLING"
    case finished = "TASK_FINISHED"
    case failed = "TASK_FAILED"
    case killed = "TASK_KILLED"
    case error = "TASK_ERROR"
    case lost = "TASK_LOST"
    case dropped = "TASK_DROPPED"
    case gone = "TASK_GONE"

    /// Mesos's `isTerminalState`: no update may follow a terminal one for the same task.
    var isTerminal: Bool {
        switch self {
        case .starting, .running, .killing: false
        case .finished, .failed, .killed, .error, .lost, .dropped, .gone: true
        }
    }
}

/// The `TaskStatus.reason` values this executor sets; raw values are the wire spellings.
enum TaskStatusReason: String, Sendable, CaseIterable {
    case containerLaunchFailed = "REASON_CONTAINER_LAUNCH_FAILED"
    case taskInvalid = "REASON_TASK_INVALID"
    case healthCheckStatusUpdated = "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED"
    case containerLimitationMemory = "REASON_CONTAINER_LIMITATION_MEMORY"
    case taskKilledDuringLaunch = "REASON_TASK_KILLED_DURING_LAUNCH"
    case executorTerminated = "REASON_EXECUTOR_TERMINATED"
    case commandExecutorFailed = "REASON_COMMAND_EXECUTOR_FAILED"
    case checkStatusUpdated = "REASON_TASK_CHECK_STATUS_UPDATED"
    case maxCompletionTimeReached = "REASON_MAX_COMPLETION_TIME_REACHED"
}
