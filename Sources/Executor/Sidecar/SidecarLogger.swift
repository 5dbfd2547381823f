import EventLoop

/// Where the Sidecar code's log lines go: the executor's standard error in production, a recorder in tests.
struct SidecarLogger: Sendable {
    enum Level: String, Sendable {
        case info = "INFO"
        case warning = "WARN"
        case error = "ERROR"
    }

    let write: @Sendable (Level, String) -> Void

    func info(_ message: String) { write(.info, message) }
    func warning(_ message: String) { write(.warning, message) }
    func error(_ message: String) { write(.error, message) }

    /// One line per message on standard error (the sandbox's `stderr` file).
    static let standardError = SidecarLogger { level, message in
        StandardStreams.write("\(level.rawValue) \(message)\n", to: .stderr)
    }
}
