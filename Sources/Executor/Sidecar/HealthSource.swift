/// Sidecar as the health monitor sees it: one state poll, one drain call, each with its retries.
///
/// `SidecarClient` is the real one (HTTP on the event loop); tests use scripted fakes. All calls and completions
/// happen on the event loop. A completion runs at most once, never after its request was cancelled, and may run
/// before the call returns (callers must not assume otherwise).
protocol HealthSource: AnyObject {
    /// Fetches the state document (retrying transport errors) and looks up `Servers[host].Services[serviceID]`;
    /// `host` nil means the document's own `Hostname`.
    @discardableResult
    func fetchState(
        serviceID: String,
        host: String?,
        completion: @escaping (SidecarPollResult) -> Void
    ) -> any SidecarRequest

    /// Asks Sidecar to set the service DRAINING, retrying until it answers 202 or the attempts run out.
    @discardableResult
    func drain(serviceID: String, completion: @escaping (SidecarDrainResult) -> Void) -> any SidecarRequest

    /// Ends every call in flight (no completion runs afterwards) and releases connections. Idempotent.
    func close()
}

/// A call to Sidecar in progress, retries included.
protocol SidecarRequest: AnyObject, Sendable {
    /// Stops the call: no further attempt is made and its completion never runs. Idempotent.
    func cancel()
}

/// The outcome of one state poll.
enum SidecarPollResult: Sendable, Equatable {
    /// Sidecar answered (whatever the HTTP status: like the original, only the body decides).
    case answered(SidecarLookup)
    /// No answer after `attempts` tries; `reason` describes the last transport error.
    case unreachable(reason: String, attempts: Int)
}

/// The outcome of a drain call.
enum SidecarDrainResult: Sendable, Equatable {
    /// Sidecar answered 202 on attempt number `attempts`.
    case drained(attempts: Int)
    /// No 202 after `attempts` tries; `reason` describes the last answer or transport error.
    case failed(reason: String, attempts: Int)
}
