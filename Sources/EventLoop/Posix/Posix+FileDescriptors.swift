// Reading, writing, duplicating and closing file descriptors, opening files, and waiting for readability.
import Glibc

private let sysRead: @convention(c) (Int32, UnsafeMutableRawPointer?, Int) -> Int = read
private let sysWrite: @convention(c) (Int32, UnsafeRawPointer?, Int) -> Int = write
private let sysClose: @convention(c) (Int32) -> Int32 = close
private let sysPoll: @convention(c) (UnsafeMutablePointer<pollfd>?, nfds_t, Int32) -> Int32 = poll
private let sysOpen: @convention(c) (UnsafePointer<CChar>, Int32, mode_t) -> Int32 = { path, flags, mode in
    open(path, flags, mode)
}

extension Posix {
    /// Reads into `buffer`; `.processed(0)` means end of file. The corresponding C function is `read`.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> IOResult<
        Int
    > {
        try retryingInterrupts("read") { sysRead(fd, buffer.baseAddress, buffer.count) }
    }

    /// Writes all of `bytes` to a (normally blocking) descriptor such as stdout, looping over partial writes.
    /// Should the descriptor be nonblocking and full, it waits for it at most `patience` milliseconds in
    /// total, then gives up rather than stall its caller forever. The corresponding C function is `write`.
    public static func writeFully(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, patience: Int32 = 1000)
        throws(SystemError)
    {
        var offset = 0
        var waited: Int32 = 0
        while offset < bytes.count {
            let remaining = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            switch try retryingInterrupts("write", { sysWrite(fd, remaining.baseAddress, remaining.count) }) {
            case .processed(let count):
                offset += count
            case .wouldBlock:
                guard waited < patience else { throw SystemError(code: EAGAIN, operation: "write") }
                var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = sysPoll(&descriptor, 1, 50)
                waited += 50
            }
        }
    }

    /// A second, close-on-exec descriptor for the same open socket. The corresponding C function is
    /// `fcntl(F_DUPFD_CLOEXEC)`.
    public static func duplicate(_ fd: Int32) throws(SystemError) -> Int32 {
        guard case .processed(let copy) = try retryingInterrupts("dup", { fcntl(fd, F_DUPFD_CLOEXEC, 0) }) else {
            throw SystemError(code: EAGAIN, operation: "dup")
        }
        return copy
    }

    /// Releases a descriptor. The corresponding C function is `close`.
    public static func close(_ fd: Int32) {
        // EINTR is deliberately not retried: Linux has already released the descriptor when close() returns
        // EINTR, and a retry could close a descriptor that another thread has been handed in the meantime.
        if sysClose(fd) == -1 {
            assert(errno != EBADF, "close(\(fd)) on a descriptor that is not open: a double close")
        }
    }

    /// Opens `path` read-only and close-on-exec; nil when it does not exist (ENOENT), which callers looking
    /// through a list of candidate files treat as normal. The corresponding C function is `open`.
    public static func openForReading(_ path: String) throws(SystemError) -> Int32? {
        while true {
            let fd = path.withCString { sysOpen($0, O_RDONLY | O_CLOEXEC, 0) }
            if fd >= 0 { return fd }
            let code = errno
            switch code {
            case EINTR: continue
            case ENOENT, ENOTDIR: return nil
            default: throw SystemError(code: code, operation: "open")
            }
        }
    }

    /// Waits, blocking the calling thread, until `fd` is readable (or reports an error or hang-up). Retries on
    /// EINTR. For a thread whose only job is to wait, such as the main thread in `MainThreadRunLoop`. The
    /// corresponding C function is `poll` with no timeout.
    public static func waitUntilReadable(_ fd: Int32) {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while sysPoll(&entry, 1, -1) < 0 && errno == EINTR {}
    }

    /// Resets an eventfd's counter; nothing happens when it is already zero (the descriptor is nonblocking).
    /// The corresponding C function is `read` of 8 bytes.
    public static func resetEventCounter(_ fd: Int32) {
        var counter: UInt64 = 0
        while sysRead(fd, &counter, MemoryLayout<UInt64>.size) < 0 && errno == EINTR {}
    }
}
