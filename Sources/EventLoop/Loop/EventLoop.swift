import Dispatch

/// The program's single event loop: one serial DispatchQueue (a private one, or the main queue drained by
/// `MainThreadRunLoop`) on which every socket, timer and connection lives. Work submitted from other threads hops
/// onto the queue with `execute`; loop-confined objects check they are called on it with `assertOnLoop()`.
///
/// Everything is callback-driven: readiness comes from DispatchSources delivering on the queue, so the
/// process needs no thread per connection and an idle program causes no wake-ups.
public final class EventLoop: @unchecked Sendable {
    // @unchecked: the stored properties are immutable after init, except `readBuffer`'s contents, which
    // are only touched on the queue.

    public let label: String
    /// The serial queue all loop work runs on.
    public let queue: DispatchQueue
    private let queueKey = DispatchSpecificKey<UInt8>()

    /// Size of the scratch buffer every socket read goes through.
    public static let readBufferSize = 64 * 1024
    /// One scratch buffer shared by all sockets of the loop: a read hands out a view of it that is valid
    /// during the `onData` callback only, so reading allocates nothing. Only used on the queue.
    let readBuffer: UnsafeMutableRawBufferPointer

    /// A loop on a serial queue of its own, drained by Dispatch's worker threads.
    public convenience init(label: String) {
        self.init(label: label, queue: DispatchQueue(label: label))
    }

    /// The loop of a program whose main thread runs `MainThreadRunLoop.run()` (the executor): its queue is the main
    /// queue, so loop work runs on the main thread and no Dispatch worker thread is needed. One per process.
    public static func onMainQueue(label: String) -> EventLoop {
        EventLoop(label: label, queue: .main)
    }

    private init(label: String, queue: DispatchQueue) {
        self.label = label
        self.queue = queue
        queue.setSpecific(key: queueKey, value: 1)
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Runs `work` on the loop, after everything already submitted. Callable from any thread.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        queue.async(execute: work)
    }

    /// True when the caller runs on this loop's queue.
    public var isOnLoop: Bool {
        DispatchQueue.getSpecific(key: queueKey) != nil
    }

    /// Traps in debug builds when the caller is not on the loop's queue; free in release builds.
    public func assertOnLoop() {
        #if DEBUG
            dispatchPrecondition(condition: .onQueue(queue))
        #endif
    }

    /// Runs `work` once on the loop after `delay`, unless the returned timer is cancelled first.
    /// Call on the loop. `leeway` defaults to a twentieth of the delay (1 ms to 250 ms).
    public func schedule(
        after delay: Duration,
        leeway: Duration? = nil,
        _ work: @escaping @Sendable () -> Void
    ) -> ScheduledTimer {
        ScheduledTimer(loop: self, firstAfter: delay, repeating: nil, leeway: leeway, work: work)
    }

    /// Runs `work` on the loop every `interval` (first after `firstAfter`, by default one interval) until the
    /// returned timer is cancelled. Call on the loop.
    public func scheduleRepeating(
        every interval: Duration,
        firstAfter: Duration? = nil,
        leeway: Duration? = nil,
        _ work: @escaping @Sendable () -> Void
    ) -> ScheduledTimer {
        ScheduledTimer(loop: self, firstAfter: firstAfter ?? interval, repeating: interval, leeway: leeway, work: work)
    }

    /// The monotonic clock (unaffected by wall-clock changes), for deadlines and elapsed times.
    public var now: DispatchTime { DispatchTime.now() }

    /// The monotonic clock as a Duration since an arbitrary origin (boot).
    public static func monotonicNow() -> Duration {
        .nanoseconds(Int64(clamping: DispatchTime.now().uptimeNanoseconds))
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to 0...Int.max (Dispatch cannot express negative or larger intervals).
    var clampedNanoseconds: Int {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return Int.max }
        let (total, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? Int.max : Int(clamping: max(total, 0))
    }

    /// The interval as a DispatchTimeInterval.
    var dispatchInterval: DispatchTimeInterval {
        .nanoseconds(clampedNanoseconds)
    }
}
