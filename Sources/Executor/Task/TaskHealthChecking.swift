/// The task supervisor's view of Sidecar for one task: health polling while the container runs, and draining
/// before a kill. `SidecarHealthMonitor` is the real one; `NoHealthChecking` serves tasks labelled
/// `SidecarDiscover=false` (and tests that do not care about health).
///
/// All calls and callbacks happen on the event loop.
protocol TaskHealthChecking: AnyObject {
    /// Starts polling for the container (Sidecar lists it under the first 12 characters of its id).
    /// - Parameters:
    ///   - onVerdictChange: Sidecar's verdict changed (first ALIVE, then each change): `true` healthy.
    ///   - onFailure: the service failed its health policy; the message names Sidecar's verdict and the count.
    func start(
        containerID: String,
        onVerdictChange: @escaping (_ healthy: Bool) -> Void,
        onFailure: @escaping (_ message: String) -> Void
    )
    /// Asks Sidecar to drain the service and waits the draining duration; `completion` runs once, when it is time
    /// to stop the container (at once when draining is disabled, early when `containerExited()` is called).
    func drain(completion: @escaping () -> Void)
    /// The container is gone: stop polling, cut a drain wait short.
    func containerExited()
    /// Stops all timers and requests; no callback fires afterwards.
    func stop()
}

/// Health checking turned off: never polls, drains instantly.
final class NoHealthChecking: TaskHealthChecking {
    func start(
        containerID: String,
        onVerdictChange: @escaping (_ healthy: Bool) -> Void,
        onFailure: @escaping (_ message: String) -> Void
    ) {}
    func drain(completion: @escaping () -> Void) { completion() }
    func containerExited() {}
    func stop() {}
}
