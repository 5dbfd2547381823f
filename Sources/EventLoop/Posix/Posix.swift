// The Posix folder is the only place in the EventLoop library that imports Glibc: every system call the library
// makes goes through `Posix`, so error handling (EINTR, would-block, errno capture) is written once and audited
// here. One file per concern: sockets, addresses, file descriptors, the process, time, and libdispatch's main-queue
// interface.
import Glibc

/// The outcome of a nonblocking call that did not fail: either the kernel had nothing to offer right now,
/// or it processed the call and returned a value (a byte count, a descriptor...).
public enum IOResult<Value> {
    /// EAGAIN/EWOULDBLOCK: try again once the descriptor is ready.
    case wouldBlock
    case processed(Value)
}

extension IOResult: Sendable where Value: Sendable {}
extension IOResult: Equatable where Value: Equatable {}

/// Runs `body` (a C call returning -1 and setting errno on failure), retrying when a signal interrupted it,
/// and turning would-block into a value so callers handle it as the normal case it is on nonblocking fds.
@inline(__always)
func retryingInterrupts<Value: FixedWidthInteger>(
    _ operation: String,
    _ body: () -> Value
) throws(SystemError) -> IOResult<Value> {
    while true {
        let result = body()
        if result != -1 { return .processed(result) }
        let code = errno
        switch code {
        case EINTR: continue
        case EAGAIN, EWOULDBLOCK: return .wouldBlock
        default: throw SystemError(code: code, operation: operation)
        }
    }
}

/// Thin wrappers over the system calls the library needs, with errors as `SystemError` values.
public enum Posix {
    /// errno values the library reacts to.
    public enum Errno {
        public static let connectionRefused = ECONNREFUSED
        public static let connectionReset = ECONNRESET
        public static let brokenPipe = EPIPE
        public static let timedOut = ETIMEDOUT
        public static let nameTooLong = ENAMETOOLONG
        public static let noSuchFile = ENOENT
        public static let badDescriptor = EBADF
    }

    /// Signal numbers the executor handles.
    public enum Signal {
        public static let terminate = SIGTERM
        public static let interrupt = SIGINT
        public static let hangup = SIGHUP
        public static let userDefined1 = SIGUSR1
        public static let brokenPipe = SIGPIPE
        public static let kill = SIGKILL
    }

    /// The text of an errno value. The corresponding C function is `strerror` (thread-safe in glibc ≥ 2.32).
    public static func errorMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
