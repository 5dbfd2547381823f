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

    /// Sends `signal` (e.g. `Posix.Signal.terminate`) to the process `pid`.
    public static func kill(_ pid: Int32, signal: Int32) throws(SystemError) {
        try Posix.kill(pid, signal)
    }
}
