import Dispatch

/// A one-shot or repeating timer on an `EventLoop`, made by `EventLoop.schedule` or `scheduleRepeating`.
///
/// Confined to the loop queue (create and cancel it there). `cancel()` is idempotent, and a cancelled
/// timer never runs its work, even when its deadline passed and the handler is already queued. A fired
/// one-shot timer releases its DispatchSource at once, so finished timeouts cost nothing.
public final class ScheduledTimer: @unchecked Sendable {
    // @unchecked: every mutable property is only touched on the loop queue.

    private let loop: EventLoop
    private var source: (any DispatchSourceTimer)?
    private let repeats: Bool
    private var work: (@Sendable () -> Void)?

    /// True until the timer is cancelled or, for a one-shot timer, has fired.
    public var isActive: Bool {
        loop.assertOnLoop()
        return work != nil
    }

    init(
        loop: EventLoop,
        firstAfter: Duration,
        repeating interval: Duration?,
        leeway: Duration?,
        work: @escaping @Sendable () -> Void
    ) {
        loop.assertOnLoop()
        self.loop = loop
        self.repeats = interval != nil
        self.work = work
        let source = DispatchSource.makeTimerSource(queue: loop.queue)
        let deadline = DispatchTime.now() + firstAfter.dispatchInterval
        let leewayInterval = (leeway ?? Self.defaultLeeway(for: interval ?? firstAfter)).dispatchInterval
        if let interval {
            source.schedule(deadline: deadline, repeating: interval.dispatchInterval, leeway: leewayInterval)
        } else {
            source.schedule(deadline: deadline, leeway: leewayInterval)
        }
        // The handler keeps the timer alive while it is pending, even if the caller drops the handle;
        // `release()` breaks that cycle when the timer is cancelled or a one-shot has fired.
        source.setEventHandler { [self] in fire() }
        self.source = source
        source.activate()
    }

    /// Stops the timer; its work will not run (again). Idempotent.
    public func cancel() {
        loop.assertOnLoop()
        work = nil
        release()
    }

    private func fire() {
        // A cancel that raced with an already-queued handler leaves `work` nil: nothing runs.
        guard let work else { return }
        if !repeats {
            self.work = nil
            release()
        }
        work()
    }

    private func release() {
        source?.cancel()
        source = nil
    }

    /// A twentieth of the interval, kept between 1 ms and 250 ms: timers here are timeouts and polls, and
    /// the slack lets the kernel coalesce wake-ups of hundreds of executor processes.
    static func defaultLeeway(for interval: Duration) -> Duration {
        min(max(interval / 20, .milliseconds(1)), .milliseconds(250))
    }
}
