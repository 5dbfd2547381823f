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

    /// Makes every thread allocate from the one main malloc arena; call it first thing, before any thread starts.
    /// Returns whether the C library accepted it.
    ///
    /// glibc otherwise gives each thread that allocates an arena of its own and never frees it, so each Dispatch
    /// worker thread that ever ran loop work would keep another 100-200 kB resident in an executor that needs one
    /// (the density benchmark measured it). The loop is serial: the threads never contend for the arena.
    @discardableResult
    public static func useSingleMallocArena() -> Bool {
        Posix.setMallocArenaLimit(1)
    }

    /// Sends `signal` (e.g. `Posix.Signal.terminate`) to the process `pid`.
    public static func kill(_ pid: Int32, signal: Int32) throws(SystemError) {
        try Posix.kill(pid, signal)
    }
}
