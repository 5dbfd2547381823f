import EventLoop

extension ExecutorSettings {
    // MARK: Value syntaxes, as the original's envconfig reads them

    /// Go's `strconv.ParseBool`.
    static func parseBool(_ value: String) throws(SettingValueError) -> Bool {
        switch value {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: throw SettingValueError(reason: "expected true or false (or 1, 0, t, f)")
        }
    }

    /// A whole number of 0 or more in Go's integer syntax (`strconv.ParseInt` base 0: `10`, `0x1e`, `0b101`,
    /// `0o17`, `010` = 8, `1_000`), as the original's envconfig reads an `int`. Negative values are refused.
    static func parseCount(_ value: String) throws(SettingValueError) -> Int {
        let number = try parseGoInteger(value)
        guard number >= 0 else { throw SettingValueError(reason: "expected a whole number of 0 or more") }
        return number
    }

    /// Go's `strconv.ParseInt(value, 0, 64)`, negative values included.
    static func parseGoInteger(_ value: String) throws(SettingValueError) -> Int {
        do {
            return Int(try GoInteger.parseSigned(value))
        } catch {
            throw SettingValueError(reason: goIntegerReason(error))
        }
    }

    /// Go's `strconv.ParseUint(value, 0, 64)` (no sign), as the original reads a `uint`; above Int64.max refused.
    static func parseUnsignedCount(_ value: String) throws(SettingValueError) -> Int {
        let number: UInt64
        do {
            number = try GoInteger.parseUnsigned(value)
        } catch {
            throw SettingValueError(reason: goIntegerReason(error))
        }
        guard number <= UInt64(Int64.max) else { throw SettingValueError(reason: "is too large") }
        return Int(number)
    }

    private static func goIntegerReason(_ failure: GoInteger.Failure) -> String {
        switch failure {
        case .syntax: "expected a whole number (Go's syntax: 10, 0x1e, 0o17, 0b101, 1_000; a leading 0 is octal)"
        case .range: "does not fit in 64 bits"
        }
    }

    /// Go's `time.ParseDuration` syntax (`250ms`, `1m30s`); negative durations are refused.
    static func parseDuration(_ value: String) throws(SettingValueError) -> Duration {
        let duration: Duration
        do {
            duration = try Duration.parseGo(value)
        } catch {
            throw SettingValueError(reason: "expected a Go duration such as 500ms, 30s or 1m30s")
        }
        guard duration >= .zero else { throw SettingValueError(reason: "a negative duration makes no sense here") }
        return duration
    }
}
