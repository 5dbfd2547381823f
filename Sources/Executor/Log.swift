import EventLoop

/// The executor's log: one line per event, `2026-11-25T09:00:00.123Z INFO message`, written to the sink (stderr in
/// the executor, which Mesos keeps as the sandbox's `stderr` file; a recorder in tests).
///
/// Configured once at start-up, before the event loop runs, and only read afterwards: that is why the two mutable
/// statics are `nonisolated(unsafe)` rather than guarded.
enum Log {
    enum Level: Int, Comparable, Sendable {
        case debug, info, warning, error

        var label: String {
            switch self {
            case .debug: "DEBUG"
            case .info: "INFO"
            case .warning: "WARN"
            case .error: "ERROR"
            }
        }

        static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    nonisolated(unsafe) static var minimumLevel: Level = .info
    /// Receives each complete line (with its trailing newline).
    nonisolated(unsafe) static var sink: @Sendable (String) -> Void = { print($0, terminator: "") }
    /// Seconds since the epoch, for the line's timestamp.
    nonisolated(unsafe) static var clock: @Sendable () -> Double = { 0 }

    /// Only debug messages are built lazily: they can be large (a create body) and are off unless `EXECUTOR_DEBUG`.
    static func debug(_ message: @autoclosure () -> String) {
        guard Level.debug >= minimumLevel else { return }
        write(.debug, message())
    }

    // Info, warnings and errors are always written, so they take the finished string. They once took an autoclosure
    // behind the level check, and the release build (Swift 6.3, -O, whole module) of a generic function returning
    // Never, `fail(_ problem: some CustomStringConvertible)`, logged an empty message through it: every start-up
    // error of the shipping binary read `ERROR ` and nothing else, while the debug build was right.
    // ReleaseBinaryMessageTests runs the release binary to keep it so.
    static func info(_ message: String) { write(.info, message) }
    static func warning(_ message: String) { write(.warning, message) }
    static func error(_ message: String) { write(.error, message) }

    private static func write(_ level: Level, _ message: String) {
        guard level >= minimumLevel else { return }
        sink("\(Timestamp.iso8601(epochSeconds: clock())) \(level.label) \(message)\n")
    }
}

/// Secrets never reach a log: environment values whose names suggest a secret are redacted.
enum Redaction {
    static let marker = "<redacted>"

    /// Names containing SECRET, PASSWORD, TOKEN or KEY (any case) hold secrets. Compared byte for byte
    /// (`ASCII.firstRange`: no _StringProcessing), so a combining mark after the word does not hide it.
    static func isSecretName(_ name: String) -> Bool {
        let upper = name.uppercased()[...]
        let words: [StaticString] = ["SECRET", "PASSWORD", "TOKEN", "KEY"]
        return words.contains { ASCII.firstRange(of: $0, in: upper) != nil }
    }

    /// `NAME=value` with the value replaced when the name suggests a secret.
    static func environmentEntry(_ entry: String) -> String {
        guard let equals = entry.firstIndex(of: "=") else { return entry }
        let name = entry[..<equals]
        return isSecretName(String(name)) ? "\(name)=\(marker)" : entry
    }
}

/// Civil-time formatting without Foundation.
enum Timestamp {
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC.
    static func iso8601(epochSeconds: Double) -> String {
        // Floor by hand: `rounded(.down)` would pull in libm, which nothing else in the program needs.
        let scaled = epochSeconds * 1000
        var totalMilliseconds = Int64(scaled)
        if Double(totalMilliseconds) > scaled { totalMilliseconds -= 1 }
        let (seconds, milliseconds) = CivilDate.floorDivide(totalMilliseconds, 1000)
        return CivilDate.dateTimeText(secondsSinceEpoch: seconds) + "." + CivilDate.padded(milliseconds, 3) + "Z"
    }

}
