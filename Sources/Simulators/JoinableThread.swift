import Glibc

/// A pthread running one closure, which (unlike Foundation.Thread) can be joined, so that `stop()` can
/// prove that no simulator thread outlives it.
final class JoinableThread: @unchecked Sendable {
    /// Small stacks: a test peer may run hundreds of connection threads and none of them recurses deeply.
    static let stackSize = 512 * 1024

    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    private let thread: pthread_t
    private let state = ConditionLock()
    private var joined = false

    private init(thread: pthread_t) {
        self.thread = thread
    }

    /// Starts `body` on a new thread; `name` only appears in the failure message.
    static func start(name: String, _ body: @escaping @Sendable () -> Void) -> JoinableThread {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackSize)
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, &attributes,
            { context in
                let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
                body.run()
                return nil
            }, context)
        // Failing to create a thread means the machine is out of resources; a test peer cannot recover.
        precondition(result == 0, "pthread_create failed for simulator thread \(name) with error \(result).")
        return JoinableThread(thread: thread)
    }

    /// True when called on this thread itself.
    var isCurrent: Bool { pthread_equal(pthread_self(), thread) != 0 }

    /// Waits for the thread to end. Joining twice is a no-op; a thread asked to join itself (a handler that
    /// calls `stop()`) detaches instead, since it is about to end anyway.
    func join() {
        let mustJoin = state.withLock {
            let first = !joined
            joined = true
            return first
        }
        guard mustJoin else { return }
        if isCurrent {
            pthread_detach(thread)
        } else {
            pthread_join(thread, nil)
        }
    }
}
