/// The task supervisor's view of the checks a TaskInfo asks for itself (`health_check`, `check`), beside Sidecar's
/// (`TaskHealthChecking`). `MesosTaskChecks` is the real one.
///
/// All calls and callbacks happen on the event loop.
protocol TaskChecking: AnyObject {
    /// Whether a TaskInfo health check runs: its results, not Sidecar's verdict, then set `healthy`.
    var setsHealthy: Bool { get }
    /// Starts checking the running container.
    /// - Parameters:
    ///   - onReport: a result worth a TASK_RUNNING update (a health change, a check status change).
    ///   - onKill: the health check reached its threshold: kill the task (`message` says which check and why).
    func start(
        containerID: String,
        onReport: @escaping (CheckReport) -> Void,
        onKill: @escaping (_ message: String) -> Void
    )
    /// Stops every timer and probe; no callback fires afterwards.
    func stop()
}

/// A TASK_RUNNING update's content from a health check (`healthy`) or a general check (`checkStatus`).
struct CheckReport: Sendable, Equatable {
    var healthy: Bool?
    var checkStatus: CheckStatus?
    var message: String
}
