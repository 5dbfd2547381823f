import Dispatch

/// Runs the main queue on the main thread, for a program whose event loop is `EventLoop.onMainQueue(label:)`.
///
/// `dispatchMain()` parks the main thread for good and has a Dispatch worker thread drain the main queue; the
/// executor would then have three threads (the parked main thread, Dispatch's event thread and that worker), and,
/// whenever work arrives while the worker is between two drains, briefly a fourth. Here the main thread itself waits
/// for the main queue's wake-up descriptor and drains the queue, the way Foundation's RunLoop does: two threads in
/// all, no worker thread ever started, and about 0.7 MB less resident memory for the stacks and the pool code the
/// worker touches (BENCHMARKS.md). Waiting on that descriptor is the loop's idle state, like the epoll wait in
/// Dispatch's own event thread, not a blocking call inside loop work.
public enum MainThreadRunLoop {
    /// Drains the main queue forever; the program ends by calling `exit` from loop work. Call once, from the main
    /// thread, after the loop's sources exist.
    public static func run() -> Never {
        // As dispatchMain() does: process signals stay pending for Dispatch's signal sources to read.
        Posix.blockAsynchronousSignals()
        let wakeup = Posix.mainQueueWakeupDescriptor()
        while true {
            // Reset before draining: a wake-up written by work queued during the drain must survive for the next
            // turn, and the drain itself leaves the counter alone.
            Posix.resetEventCounter(wakeup)
            Posix.drainMainQueue()
            Posix.waitUntilReadable(wakeup)
        }
    }
}
