import Dispatch

/// One DispatchSource timer armed again and again for successive deadlines (a check's interval, then its timeout,
/// then the next interval...). Re-arming an active timer source only changes its deadline, where a `ScheduledTimer`
/// per deadline registers a new source with Dispatch's event thread and unregisters it again, each a wake-up of
/// that thread and of the loop.
///
/// Confined to the loop queue. At most one deadline is pending: `arm` replaces it, `disarm` drops it. A handler
/// already queued for a replaced deadline finds the new deadline not reached yet and does nothing. `cancel()`
/// releases the source for good (the timer cannot be armed again).
public final class ReusableTimer: @unchecked Sendable {
    // @unchecked: every mutable property is only touched on the loop queue.

    private let loop: EventLoop
    private var source: (any DispatchSourceTimer)?
    private var work: (() -> Void)?
    private var deadline = DispatchTime.distantFuture

    public init(loop: EventLoop) {
        loop.assertOnLoop()
        self.loop = loop
        let source = DispatchSource.makeTimerSource(queue: loop.queue)
        source.schedule(deadline: .distantFuture)
        source.setEventHandler { [weak self] in self?.fire() }
        self.source = source
        source.activate()
    }

    deinit { source?.cancel() }

    /// True while a deadline is pending.
    public var isArmed: Bool {
        loop.assertOnLoop()
        return work != nil
    }

    /// Runs `work` on the loop after `delay`, replacing any pending deadline. The leeway is
    /// `ScheduledTimer.defaultLeeway(for: delay)`.
    public func arm(after delay: Duration, _ work: @escaping () -> Void) {
        loop.assertOnLoop()
        guard let source else { return }
        self.work = work
        deadline = DispatchTime.now() + delay.dispatchInterval
        source.schedule(deadline: deadline, leeway: ScheduledTimer.defaultLeeway(for: delay).dispatchInterval)
    }

    /// Drops the pending deadline, if any; the timer stays ready for the next `arm`.
    public func disarm() {
        loop.assertOnLoop()
        work = nil
        deadline = .distantFuture
        source?.schedule(deadline: .distantFuture)
    }

    /// Releases the source; nothing runs afterwards. Idempotent.
    public func cancel() {
        loop.assertOnLoop()
        work = nil
        source?.cancel()
        source = nil
    }

    private func fire() {
        // A handler queued before the deadline moved: the new deadline has its own firing to come.
        guard let work, DispatchTime.now() >= deadline else { return }
        self.work = nil
        deadline = .distantFuture
        work()
    }
}
