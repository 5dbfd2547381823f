import EventLoop

/// One call to Sidecar with its retries: runs `attempt` up to `attempts` times, `delay` apart, until an attempt
/// finishes; then, or when the attempts run out, runs `completion` once.
///
/// Cancelling stops everything: no further attempt starts, a pending retry timer is cancelled, and the completion
/// never runs, even if the attempt in progress answers later. Confined to the event loop.
final class RetryingCall<Result>: SidecarRequest, @unchecked Sendable {
    /// How one attempt ended.
    enum Outcome {
        /// The call is over with this result.
        case finished(Result)
        /// Worth another attempt; `reason` is kept for the result if it was the last one.
        case failed(reason: String)
    }

    /// Starts attempt `number`, which reports through `done`; returns its handle, for cancelling it.
    typealias Attempt = (_ number: Int, _ done: @escaping (Outcome) -> Void) -> any SidecarRequest

    private let loop: EventLoop
    private let attempts: Int
    private let delay: Duration
    private let attempt: Attempt
    private let giveUp: (_ lastReason: String, _ attempts: Int) -> Result
    private var completion: ((Result) -> Void)?
    private var retryTimer: ScheduledTimer?
    /// The attempt in flight, cancelled with the call so that it does not hold a connection to its timeout.
    private var inFlight: (any SidecarRequest)?
    /// The attempt whose answer is awaited; answers of any other (there are none, unless a transport misbehaves)
    /// are ignored.
    private var current = 0

    /// The attempts made so far.
    var attemptsMade: Int { current }

    init(
        loop: EventLoop,
        attempts: Int,
        delay: Duration,
        completion: @escaping (Result) -> Void,
        attempt: @escaping Attempt,
        giveUp: @escaping (_ lastReason: String, _ attempts: Int) -> Result
    ) {
        self.loop = loop
        self.attempts = max(1, attempts)
        self.delay = delay
        self.completion = completion
        self.attempt = attempt
        self.giveUp = giveUp
    }

    /// Makes the first attempt.
    func start() {
        loop.assertOnLoop()
        guard current == 0 else { return }
        run()
    }

    func cancel() {
        loop.assertOnLoop()
        completion = nil
        retryTimer?.cancel()
        retryTimer = nil
        inFlight?.cancel()
        inFlight = nil
    }

    private func run() {
        guard completion != nil else { return }
        retryTimer = nil
        current += 1
        let number = current
        // Strong captures: a caller may drop the request it got back, and the call must still complete. The cycles
        // end when the attempt answers (the transport's timeout bounds that) and when the timer fires or is cancelled.
        let handle = attempt(number) { outcome in
            self.attemptEnded(number, outcome)
        }
        // The attempt may have ended already, inside `attempt`.
        if number == current, completion != nil, retryTimer == nil { inFlight = handle }
    }

    private func attemptEnded(_ number: Int, _ outcome: Outcome) {
        guard number == current, completion != nil, retryTimer == nil else { return }
        inFlight = nil
        switch outcome {
        case .finished(let result):
            finish(result)
        case .failed(let reason) where number >= attempts:
            finish(giveUp(reason, number))
        case .failed:
            retryTimer = loop.schedule(after: delay) {
                self.run()
            }
        }
    }

    private func finish(_ result: Result) {
        let completion = self.completion
        self.completion = nil
        completion?(result)
    }
}
