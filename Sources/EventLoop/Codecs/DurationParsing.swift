extension Duration {
    /// Parses Go's `time.ParseDuration` syntax: an optional sign, then one or more decimal numbers (fraction
    /// allowed) each followed by a unit `ns`, `us`, `µs`, `ms`, `s`, `m` or `h`; "0" alone is zero.
    /// Examples: "250ms", "1m30s", "1.5h", "-2s". Like Go, the total must fit in Int64 nanoseconds. Fractions
    /// are computed exactly and truncated to the nanosecond, where Go rounds through float64; the two can differ
    /// by a nanosecond for fractions with more than 15 significant digits.
    public static func parseGo(_ text: String) throws(DurationSyntaxError) -> Duration {
        var bytes = Array(text.utf8)[...]
        func fail(_ reason: DurationSyntaxError.Reason) -> DurationSyntaxError {
            DurationSyntaxError(input: text, syntax: .go, reason: reason)
        }
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        if bytes.elementsEqual("0".utf8) {
            return .zero
        }
        guard !bytes.isEmpty else { throw fail(text.isEmpty ? .empty : .missingNumber) }

        var total: UInt64 = 0
        while !bytes.isEmpty {
            guard let number = DecimalNumber.scan(&bytes) else { throw fail(.missingNumber) }
            // Go's unit is everything up to the next digit or '.'.
            let unitEnd = bytes.firstIndex { DecimalNumber.isDigit($0) || $0 == UInt8(ascii: ".") } ?? bytes.endIndex
            let unit = String(decoding: bytes[..<unitEnd], as: UTF8.self)
            bytes = bytes[unitEnd...]
            guard !unit.isEmpty else { throw fail(.missingUnit) }
            guard let nanosecondsPerUnit = goUnits[unit] else { throw fail(.unknownUnit(unit)) }
            guard let nanoseconds = number.nanoseconds(unit: nanosecondsPerUnit) else { throw fail(.outOfRange) }
            let (sum, overflow) = total.addingReportingOverflow(nanoseconds)
            guard !overflow else { throw fail(.outOfRange) }
            total = sum
        }
        return try signed(total, negative: negative, or: fail(.outOfRange))
    }

    /// Parses the Mesos (stout) syntax: one non-negative decimal number, fraction allowed, and a unit `ns`,
    /// `us`, `ms`, `secs`, `mins`, `hrs`, `days` or `weeks`. Examples: "5secs", "2.5secs", "100ms".
    public static func parseMesos(_ text: String) throws(DurationSyntaxError) -> Duration {
        var bytes = Array(text.utf8)[...]
        func fail(_ reason: DurationSyntaxError.Reason) -> DurationSyntaxError {
            DurationSyntaxError(input: text, syntax: .mesos, reason: reason)
        }
        guard !bytes.isEmpty else { throw fail(.empty) }
        // stout takes the leading run of digits and dots as the number and everything after as the unit.
        let numberEnd = bytes.firstIndex { !DecimalNumber.isDigit($0) && $0 != UInt8(ascii: ".") } ?? bytes.endIndex
        guard numberEnd != bytes.endIndex else { throw fail(.missingUnit) }
        var numberBytes = bytes[..<numberEnd]
        guard let number = DecimalNumber.scan(&numberBytes), numberBytes.isEmpty else { throw fail(.missingNumber) }
        bytes = bytes[numberEnd...]
        let unit = String(decoding: bytes, as: UTF8.self)
        guard let nanosecondsPerUnit = mesosUnits[unit] else { throw fail(.unknownUnit(unit)) }
        guard let nanoseconds = number.nanoseconds(unit: nanosecondsPerUnit) else { throw fail(.outOfRange) }
        return try signed(nanoseconds, negative: false, or: fail(.outOfRange))
    }

    /// The Mesos text form in the largest unit that gives a whole number: "5secs", "15mins", "2500ms", "1hrs",
    /// "0ns". Precision below a nanosecond is dropped.
    public var mesosDescription: String {
        let nanoseconds = nanosecondsValue
        let magnitude = nanoseconds.magnitude
        let sign = nanoseconds < 0 ? "-" : ""
        for (suffix, size) in mesosOutputUnits where magnitude % size == 0 && magnitude >= size {
            return "\(sign)\(magnitude / size)\(suffix)"
        }
        return "0ns"
    }

    /// The duration in whole nanoseconds (truncated toward zero), saturating at Int64's bounds (±292 years).
    public var nanosecondsValue: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (sum, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        guard !sumOverflow else { return seconds < 0 ? .min : .max }
        return sum
    }

    /// The duration in seconds, as a Double.
    public var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    private static func signed(
        _ magnitude: UInt64,
        negative: Bool,
        or error: DurationSyntaxError
    ) throws(DurationSyntaxError) -> Duration {
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw error }
            return .nanoseconds(Int64(truncatingIfNeeded: 0 &- magnitude))
        }
        guard magnitude <= UInt64(Int64.max) else { throw error }
        return .nanoseconds(Int64(magnitude))
    }
}

private let goUnits: [String: UInt64] = [
    "ns": 1, "us": 1_000, "\u{B5}s": 1_000, "\u{3BC}s": 1_000, "ms": 1_000_000,
    "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
]

private let mesosUnits: [String: UInt64] = [
    "ns": 1, "us": 1_000, "ms": 1_000_000, "secs": 1_000_000_000, "mins": 60_000_000_000,
    "hrs": 3_600_000_000_000, "days": 86_400_000_000_000, "weeks": 604_800_000_000_000,
]

/// Largest first, for `mesosDescription`.
private let mesosOutputUnits: [(String, UInt64)] = [
    ("weeks", 604_800_000_000_000), ("days", 86_400_000_000_000), ("hrs", 3_600_000_000_000),
    ("mins", 60_000_000_000), ("secs", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000), ("ns", 1),
]

/// A non-negative decimal `digits[.digits]`, kept exact so that "1.5h" is exactly 5400 seconds.
private struct DecimalNumber {
    var integer: UInt64 = 0
    var integerOverflowed = false
    /// The fraction's first 18 digits as an integer over `fractionScale`; later digits are below a nanosecond
    /// of any unit and are ignored, as Go does.
    var fraction: UInt64 = 0
    var fractionScale: UInt64 = 1

    /// Consumes `digits`, `digits.`, `.digits` or `digits.digits` from the front of `bytes`; nil (consuming
    /// nothing useful) when there is no digit at all.
    static func scan(_ bytes: inout ArraySlice<UInt8>) -> DecimalNumber? {
        var number = DecimalNumber()
        var sawDigit = false
        while let byte = bytes.first, isDigit(byte) {
            sawDigit = true
            let (product, overflow1) = number.integer.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = product.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            number.integerOverflowed = number.integerOverflowed || overflow1 || overflow2
            number.integer = sum
            bytes = bytes.dropFirst()
        }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            while let byte = bytes.first, isDigit(byte) {
                sawDigit = true
                if number.fractionScale < 1_000_000_000_000_000_000 {
                    number.fraction = number.fraction * 10 + UInt64(byte - UInt8(ascii: "0"))
                    number.fractionScale *= 10
                }
                bytes = bytes.dropFirst()
            }
        }
        return sawDigit ? number : nil
    }

    /// The value times `unit` nanoseconds, truncated, or nil when it does not fit.
    func nanoseconds(unit: UInt64) -> UInt64? {
        guard !integerOverflowed else { return nil }
        let (whole, overflow) = integer.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        // fraction < fractionScale, so fraction * unit / fractionScale < unit: the quotient always fits.
        let product = unit.multipliedFullWidth(by: fraction)
        let part = fractionScale.dividingFullWidth((high: product.high, low: product.low)).quotient
        let (sum, sumOverflow) = whole.addingReportingOverflow(part)
        return sumOverflow ? nil : sum
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }
}
