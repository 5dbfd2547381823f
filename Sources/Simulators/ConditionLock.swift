import Glibc

/// A pthread mutex with one condition variable, used by the simulators' threads.
///
/// Simulators avoid Foundation (NSLock/NSCondition) so that a benchmark running a simulator in the same
/// process as the event loop does not pull Foundation's memory and threads into its figures.
final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        // Timed waits measure against the monotonic clock so a wall-clock jump cannot cut them short.
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }

    func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` with the mutex held.
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Wakes every thread waiting on the condition. Call with the mutex held.
    func broadcast() { pthread_cond_broadcast(condition) }

    /// Waits (mutex held) until woken; callers re-check their predicate in a loop.
    func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits (mutex held) until `predicate` holds or `timeout` has passed; returns the predicate's last value.
    func wait(timeout: Duration, until predicate: () -> Bool) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(deadline.tv_nsec) + Int(attoseconds / 1_000_000_000)
        deadline.tv_sec += Int(seconds) + nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000
        while !predicate() {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT {
                return predicate()
            }
        }
        return true
    }
}
