/// Process-level controls.
public enum ProcessControl {
    /// Ends the process with `code`.
    public static func exit(_ code: Int32) -> Never {
        Posix.exit(code)
    }

    /// This process's id.
    public static var processID: Int32 {
        Posix.getpid()
    }

    /// Sets malloc up for a small process that lives as long as its task; call it first thing, before any thread
    /// starts. Returns whether the C library accepted both settings.
    ///
    /// - One arena for every thread: glibc otherwise gives each thread that allocates an arena of its own and never
    ///   frees it, so each Dispatch worker thread that ever ran loop work would keep another 100-200 kB resident in
    ///   an executor that needs one (the density benchmark measured it). The loop is serial: the threads never
    ///   contend for the arena.
    /// - A fixed mmap threshold, glibc's initial 128 kB: left alone, glibc raises it to the size of each large block
    ///   freed (up to 32 MB) and the heap's trim threshold to twice that, so after one poll of a multi-megabyte
    ///   Sidecar state document the next polls' buffers came from the heap, which then kept megabytes resident for
    ///   the rest of the task. Fixed, each block of 128 kB or more is a mapping of its own, returned when freed, and
    ///   the heap gives its top back once 128 kB of it is free (BENCHMARKS.md has the figures).
    @discardableResult
    public static func configureMalloc() -> Bool {
        let oneArena = Posix.setMallocOption(.arenaMax, 1)
        let fixedThreshold = Posix.setMallocOption(.mmapThreshold, mmapThreshold)
        return oneArena && fixedThreshold
    }

    /// The mmap threshold `configureMalloc` fixes: glibc's default starting value.
    public static let mmapThreshold: Int32 = 128 * 1024

    /// Sends `signal` (e.g. `Posix.Signal.terminate`) to the process `pid`.
    public static func kill(_ pid: Int32, signal: Int32) throws(SystemError) {
        try Posix.kill(pid, signal)
    }
}
