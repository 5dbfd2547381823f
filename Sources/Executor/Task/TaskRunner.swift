import EventLoop

/// One task as the executor glue drives it; `TaskSupervisor` (Docker) is the real one, tests use a fake.
///
/// Made by the executor for each LAUNCH it accepts, with a reporter for the task's updates and a callback for when
/// the runner has nothing left to do. All calls happen on the event loop.
protocol TaskRunner: AnyObject {
    /// Starts the task from its TaskInfo (the LAUNCH's, verbatim). Updates go to the reporter given at creation,
    /// TASK_STARTING first.
    func launch(taskInfo: JSONValue)
    /// The agent's KILL; `gracePeriod` is the KILL's own kill policy, if it had one.
    func kill(gracePeriod: Duration?)
    /// SHUTDOWN (or the agent is lost, or the executor's own `cause`): stop within `grace` and send the terminal
    /// update, which names the cause.
    func shutdown(grace: Duration, cause: TaskLifecycle.ShutdownCause)
    /// The task's terminal update is settled: acknowledged by the agent, refused by it for good, or undeliverable
    /// (the agent is lost). Clean up (remove the container), then call the finished callback.
    func terminalUpdateAcknowledged()
    /// The executor exits without waiting any longer (a fail-safe or the shutdown deadline): stop and remove the
    /// container now, whatever the task is doing, sending its terminal update first if it was not sent; then call
    /// the finished callback.
    func cleanUpBeforeExit()
}

/// What the executor gives a runner it makes.
struct TaskRunnerContext {
    /// Where the task's updates go (the executor, which forwards them to the agent).
    var reporter: any StatusReporter
    /// The framework accepts TASK_KILLING (its TASK_KILLING_STATE capability).
    var sendsKillingState: Bool
    /// Call once nothing is left to do for the task (after `terminalUpdateAcknowledged`).
    var onFinished: () -> Void
}

/// The Docker task supervisor is the executor's runner: its commands are exactly the seam's.
extension TaskSupervisor: TaskRunner {}
