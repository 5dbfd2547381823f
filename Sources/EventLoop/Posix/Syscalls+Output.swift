// The system calls of the output side: the process's standard streams, datagram sockets, the host's name and
// local time. Kept beside Syscalls.swift (the other file of the library that imports Glibc) so that one file does
// not outgrow its purpose.
import Glibc

private let sysWriteOutput: @convention(c) (Int32, UnsafeRawPointer?, Int) -> Int = write
private let sysSendOutput: @convention(c) (Int32, UnsafeRawPointer?, Int, Int32) -> Int = send
private let sysPollOutput: @convention(c) (UnsafeMutablePointer<pollfd>?, nfds_t, Int32) -> Int32 = poll

/// What kind of file an output descriptor is, which decides how it can be written without waiting on a reader.
public enum OutputKind: Sendable, Equatable {
    /// A regular file or block device: a write never waits for a reader and the descriptor is always ready.
    case file
    /// A pipe or FIFO: a write waits when the pipe is full (its reader is slow).
    case pipe
    /// A stream socket: `send` with MSG_DONTWAIT never waits, whatever the descriptor's flags.
    case socket
    /// A terminal: a write waits on flow control.
    case terminal
    /// Another character device (`/dev/null`): written directly.
    case device
    /// Not open.
    case closed
}

extension Posix {
    /// PIPE_BUF: a write of at most this many bytes to a pipe with a free buffer slot completes at once, without
    /// waiting, even on a blocking descriptor (Linux takes a free slot of a page for it).
    public static let pipeAtomicWrite = Int(PIPE_BUF)

    /// The kind of file `fd` refers to. The corresponding C functions are `fstat` and `isatty`.
    public static func outputKind(_ fd: Int32) -> OutputKind {
        var status = stat()
        guard fstat(fd, &status) == 0 else { return .closed }
        switch status.st_mode & S_IFMT {
        case S_IFREG, S_IFBLK: return .file
        case S_IFIFO: return .pipe
        case S_IFSOCK: return .socket
        case S_IFCHR: return isatty(fd) == 1 ? .terminal : .device
        default: return .device
        }
    }

    /// Whether a write to `fd` would find room now (or fail at once), asked without waiting. The corresponding C
    /// function is `poll` with a zero timeout.
    public static func isWritableNow(_ fd: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while true {
            let ready = sysPollOutput(&entry, 1, 0)
            if ready >= 0 { return ready > 0 }
            if errno != EINTR { return true }  // let the write itself report the problem
        }
    }

    /// Waits at most `milliseconds` for `fd` to become writable; for the last flush before the process exits.
    /// The corresponding C function is `poll`.
    public static func waitUntilWritable(_ fd: Int32, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        return sysPollOutput(&entry, 1, milliseconds) > 0
    }

    /// One `write` of `bytes` (a partial write is a normal outcome). The corresponding C function is `write`.
    public static func writeOnce(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        while true {
            let result = sysWriteOutput(fd, bytes.baseAddress, bytes.count)
            if result >= 0 { return .processed(result) }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw SystemError(code: code, operation: "write")
            }
        }
    }

    /// One `send` that never waits, whatever the descriptor's own flags (MSG_DONTWAIT), and never raises SIGPIPE.
    /// For stream sockets handed to the process and for connected datagram sockets. The corresponding C function
    /// is `send`.
    public static func sendWithoutWaiting(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError)
        -> IOResult<Int>
    {
        while true {
            let result = sysSendOutput(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            if result >= 0 { return .processed(result) }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw SystemError(code: code, operation: "send")
            }
        }
    }

    /// A new nonblocking, close-on-exec UDP socket. The corresponding C function is `socket(SOCK_DGRAM)`.
    public static func datagramSocket(family: SocketAddress.Family) throws(SystemError) -> Int32 {
        let domain = family == .ipv6 ? AF_INET6 : AF_INET
        let type = Int32(SOCK_DGRAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let fd = Glibc.socket(domain, type, 0)
        guard fd >= 0 else { throw SystemError(code: errno, operation: "socket") }
        return fd
    }

    /// The host's name. The corresponding C function is `gethostname`.
    public static func hostName() -> String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The local time zone's offset from UTC, in seconds, at `epochSeconds` (TZ and /etc/localtime apply). The
    /// corresponding C function is `localtime_r`.
    public static func localUTCOffset(epochSeconds: Int) -> Int {
        var time = time_t(epochSeconds)
        var parts = tm()
        guard localtime_r(&time, &parts) != nil else { return 0 }
        return Int(parts.tm_gmtoff)
    }
}
