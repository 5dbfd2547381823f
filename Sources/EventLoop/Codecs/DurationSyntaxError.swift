/// Why a duration text (Go or Mesos syntax) was rejected.
public struct DurationSyntaxError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case empty
        /// A number was expected (e.g. "ms", ".s", "1.2.3secs").
        case missingNumber
        /// A number with no unit after it (e.g. "1", "1m30").
        case missingUnit
        case unknownUnit(String)
        /// Not representable as a 64-bit count of nanoseconds.
        case outOfRange
    }

    public enum Syntax: Sendable, Equatable {
        /// Go's `time.ParseDuration`, used by the executor's settings.
        case go
        /// stout's `Duration::parse`, used by the Mesos agent.
        case mesos
    }

    /// The whole text that was rejected.
    public let input: String
    public let syntax: Syntax
    public let reason: Reason

    public init(input: String, syntax: Syntax, reason: Reason) {
        self.input = input
        self.syntax = syntax
        self.reason = reason
    }

    public var description: String {
        let quoted = "\"\(input)\""
        let units =
            syntax == .go
            ? "ns, us, \u{B5}s, ms, s, m or h" : "ns, us, ms, secs, mins, hrs, days or weeks"
        let example = syntax == .go ? "\"1m30s\"" : "\"30secs\""
        switch reason {
        case .empty:
            return "Invalid duration \(quoted): the text is empty; expected a number and a unit such as \(example)."
        case .missingNumber:
            return "Invalid duration \(quoted): expected a number before the unit, such as \(example)."
        case .missingUnit:
            return "Invalid duration \(quoted): a number has no unit; expected one of \(units)."
        case .unknownUnit(let unit):
            return "Invalid duration \(quoted): unknown unit \"\(unit)\"; expected one of \(units)."
        case .outOfRange:
            return "Invalid duration \(quoted): the value does not fit in 64 bits of nanoseconds."
        }
    }
}
