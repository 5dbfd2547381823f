// The process itself: signals, its environment, its exit, and facts about the host it runs on.
import Glibc

private let sysKill: @convention(c) (pid_t, Int32) -> Int32 = kill
private let sysGetpid: @convention(c) () -> pid_t = getpid
private let sysSysconf: @convention(c) (Int32) -> Int = sysconf

extension Posix {
    /// Sets a signal's disposition to "ignore". The corresponding C function is `signal(sig, SIG_IGN)`.
    public static func ignoreSignal(_ signal: Int32) {
        _ = Glibc.signal(signal, SIG_IGN)
    }

    /// Sends a signal to a process. The corresponding C function is `kill`.
    public static func kill(_ pid: Int32, _ signal: Int32) throws(SystemError) {
        if sysKill(pid, signal) == -1 { throw SystemError(code: errno, operation: "kill") }
    }

    /// This process's id. The corresponding C function is `getpid`.
    public static func getpid() -> Int32 {
        sysGetpid()
    }

    /// Ends the process, flushing stdio. The corresponding C function is `exit`.
    public static func exit(_ code: Int32) -> Never {
        Glibc.exit(code)
    }

    /// One environment variable. The corresponding C function is `getenv`.
    public static func getenv(_ name: String) -> String? {
        Glibc.getenv(name).map { String(cString: $0) }
    }

    /// Every "NAME=value" entry of the environment, in order. The corresponding C variable is `environ`.
    public static func environment() -> [String] {
        var entries: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            entries.append(String(cString: entry))
            cursor += 1
        }
        return entries
    }

    /// The `mallopt` options the executor sets, by their values in glibc's ABI (malloc.h, which names them, is not
    /// part of the Glibc module).
    public enum MallocOption: Int32, Sendable {
        /// `M_MMAP_THRESHOLD`: blocks of at least this many bytes are mappings of their own. Setting it also stops
        /// glibc from moving it (and the trim threshold) after each large free.
        case mmapThreshold = -3
        /// `M_ARENA_MAX`: the most malloc arenas.
        case arenaMax = -8
    }

    /// Sets a malloc option; true when glibc accepted the value. The corresponding C function is `mallopt`.
    @discardableResult
    public static func setMallocOption(_ option: MallocOption, _ value: Int32) -> Bool {
        // mallopt is looked up by name (a nil handle is RTLD_DEFAULT): malloc.h is not part of the Glibc module.
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        return mallopt(option.rawValue, value) == 1
    }

    /// The number of processors online, at least 1. The corresponding C function is `sysconf`.
    public static func onlineProcessorCount() -> Int {
        max(1, sysSysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Blocks, in the calling thread, every signal that arrives asynchronously (all but the ones a fault raises,
    /// SIGPIPE and SIGPROF), as `dispatchMain()` does for the main thread. Dispatch signal sources read signals
    /// that are pending for the process; a signal the main thread did not block would instead meet its
    /// disposition (SIG_IGN for the watched ones) there and be lost. The corresponding C function is
    /// `pthread_sigmask(SIG_BLOCK)`.
    public static func blockAsynchronousSignals() {
        var mask = sigset_t()
        sigfillset(&mask)
        for synchronous in [SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGBUS, SIGSEGV, SIGSYS, SIGPIPE, SIGPROF] {
            sigdelset(&mask, synchronous)
        }
        pthread_sigmask(SIG_BLOCK, &mask, nil)
    }
}
