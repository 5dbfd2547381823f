import Dispatch

/// A termination-type signal the executor reacts to.
public enum ProcessSignal: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case terminate, interrupt, hangup
    /// SIGUSR1: the original executor's clean stop (its AWS lease watcher sends it too).
    case userDefined1

    /// The signal number.
    public var number: Int32 {
        switch self {
        case .terminate: return Posix.Signal.terminate
        case .interrupt: return Posix.Signal.interrupt
        case .hangup: return Posix.Signal.hangup
        case .userDefined1: return Posix.Signal.userDefined1
        }
    }

    /// "SIGTERM", "SIGINT" or "SIGHUP".
    public var description: String {
        switch self {
        case .terminate: return "SIGTERM"
        case .interrupt: return "SIGINT"
        case .hangup: return "SIGHUP"
        case .userDefined1: return "SIGUSR1"
        }
    }
}

/// Delivers process signals to a handler on the event loop, where the rest of the program's state lives,
/// instead of in an async-signal context where almost nothing is safe to do.
///
/// Each signal is first set to SIG_IGN, so that its default action (terminating the process) no longer
/// applies, then watched by a DispatchSource signal source. Thread-safe: its state is immutable once made,
/// and DispatchSource cancellation is itself thread-safe.
public final class SignalWatcher: @unchecked Sendable {
    // @unchecked: `sources` is immutable; DispatchSource methods are thread-safe.
    private let sources: [any DispatchSourceSignal]

    /// Starts watching `signals`; `handler` runs on `loop` once per delivery (signals arriving close together
    /// may be coalesced into one call). Callable from any thread.
    ///
    /// Dispatch registers the sources asynchronously; `onReady` runs on the loop once all of them are. A
    /// signal arriving before that finds SIG_IGN and is lost, so a program that must not miss one (a test
    /// sending itself a signal) waits for `onReady`. At executor start-up that window is microseconds long.
    public init(
        signals: [ProcessSignal] = ProcessSignal.allCases,
        on loop: EventLoop,
        onReady: (@Sendable () -> Void)? = nil,
        handler: @escaping @Sendable (ProcessSignal) -> Void
    ) {
        let readiness = ReadinessCountdown(count: signals.count, loop: loop, onReady: onReady)
        sources = signals.map { signal in
            Posix.ignoreSignal(signal.number)
            let source = DispatchSource.makeSignalSource(signal: signal.number, queue: loop.queue)
            source.setEventHandler { handler(signal) }
            source.setRegistrationHandler { readiness.oneReady() }
            source.activate()
            return source
        }
    }

    /// Stops delivering signals. They stay ignored (SIG_IGN), so a late SIGTERM cannot kill the process in
    /// the middle of its own shutdown. Idempotent.
    public func cancel() {
        for source in sources { source.cancel() }
    }

    deinit {
        cancel()
    }
}

/// Calls `onReady` once `count` registrations have been reported. Confined to the loop queue (registration
/// handlers run there).
private final class ReadinessCountdown: @unchecked Sendable {
    // @unchecked: `remaining` is only touched on the loop queue.
    private var remaining: Int
    private let loop: EventLoop
    private let onReady: (@Sendable () -> Void)?

    init(count: Int, loop: EventLoop, onReady: (@Sendable () -> Void)?) {
        self.remaining = count
        self.loop = loop
        self.onReady = onReady
        if count == 0, let onReady { loop.execute(onReady) }
    }

    func oneReady() {
        loop.assertOnLoop()
        remaining -= 1
        if remaining == 0 { onReady?() }
    }
}
