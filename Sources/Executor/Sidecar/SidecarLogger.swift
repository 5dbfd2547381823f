/// Where the Sidecar code's log lines go: the executor's `Log` in production, a recorder in tests (which run in
/// parallel, so they cannot share `Log`'s one global sink).
struct SidecarLogger: Sendable {
    enum Level: Sendable {
        case info
        case warning
        case error
    }

    let write: @Sendable (Level, String) -> Void

    func info(_ message: String) { write(.info, message) }
    func warning(_ message: String) { write(.warning, message) }
    func error(_ message: String) { write(.error, message) }

    /// The executor's log.
    static let executorLog = SidecarLogger { level, message in
        switch level {
        case .info: Log.info(message)
        case .warning: Log.warning(message)
        case .error: Log.error(message)
        }
    }
}
