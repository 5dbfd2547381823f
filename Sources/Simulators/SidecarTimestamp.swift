import EventLoop
import Glibc

/// A UTC instant with nanosecond precision, formatted the way Go's `time.Time` marshals to JSON
/// (RFC 3339, `Z`, fractional seconds only when non-zero and without trailing zeros), which is how
/// Sidecar writes every time in its catalog.
public struct SidecarTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanosecondsSinceEpoch: Int64

    /// 1970-01-01T00:00:00Z, which Sidecar uses for "never" (`time.Unix(0, 0)`).
    public static let epoch = SidecarTimestamp(nanosecondsSinceEpoch: 0)

    public init(nanosecondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, nanosecond: Int = 0) {
        let days = CivilDate.daysSinceEpoch(year: Int64(year), month: Int64(month), day: Int64(day))
        let seconds = ((days * 24 + Int64(hour)) * 60 + Int64(minute)) * 60 + Int64(second)
        nanosecondsSinceEpoch = seconds * 1_000_000_000 + Int64(nanosecond)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (1 to 9 fraction digits); nil for anything else.
    public init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            let digits = bytes[range]
            guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            return digits.reduce(0) { $0 * 10 + Int($1 - 48) }
        }
        let separators: [(offset: Int, byte: Unicode.Scalar)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")]
        guard separators.allSatisfy({ bytes[$0.offset] == UInt8(ascii: $0.byte) }),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        var nanosecond = 0
        if bytes.count > 20 {
            let fraction = 20..<(bytes.count - 1)
            guard bytes[19] == UInt8(ascii: "."), (1...9).contains(fraction.count), let value = number(fraction)
            else { return nil }
            nanosecond = value * Int(Self.powerOfTen(9 - fraction.count))
        } else if bytes[19] != UInt8(ascii: "Z") {
            return nil
        }
        self.init(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: nanosecond)
    }

    /// The current wall-clock time.
    public static func now() -> SidecarTimestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return SidecarTimestamp(nanosecondsSinceEpoch: Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))
    }

    /// This instant plus `duration` (nanosecond precision).
    public func adding(_ duration: Duration) -> SidecarTimestamp {
        let (seconds, attoseconds) = duration.components
        return SidecarTimestamp(
            nanosecondsSinceEpoch: nanosecondsSinceEpoch + seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    public static func < (lhs: SidecarTimestamp, rhs: SidecarTimestamp) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    /// RFC 3339 as Go's `time.Time.MarshalJSON` writes it for a UTC time, e.g. `2024-05-01T10:00:04.5Z`.
    public var description: String {
        let parts = civil
        var text =
            "\(Self.padded(parts.year, 4))-\(Self.padded(parts.month, 2))-\(Self.padded(parts.day, 2))T"
            + "\(Self.padded(parts.hour, 2)):\(Self.padded(parts.minute, 2)):\(Self.padded(parts.second, 2))"
        if parts.nanosecond > 0 {
            var fraction = Self.padded(parts.nanosecond, 9)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    /// The IMF-fixdate of an HTTP `Date` header, e.g. `Wed, 01 May 2024 10:00:04 GMT`.
    public var httpDate: String {
        let parts = civil
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        // 1970-01-01 was a Thursday (index 4).
        let weekday = Int(((parts.days % 7) + 7 + 4) % 7)
        return "\(weekdays[weekday]), \(Self.padded(parts.day, 2)) \(months[parts.month - 1]) \(parts.year) "
            + "\(Self.padded(parts.hour, 2)):\(Self.padded(parts.minute, 2)):\(Self.padded(parts.second, 2)) GMT"
    }

    private var civil:
        (days: Int64, year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, nanosecond: Int)
    {
        let (seconds, nanosecond) = CivilDate.floorDivide(nanosecondsSinceEpoch, 1_000_000_000)
        let t = CivilDate.dateTime(secondsSinceEpoch: seconds)
        return (
            t.daysSinceEpoch, Int(t.year), Int(t.month), Int(t.day), Int(t.hour), Int(t.minute), Int(t.second),
            Int(nanosecond)
        )
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        CivilDate.padded(Int64(value), width)
    }

    private static func powerOfTen(_ exponent: Int) -> Int64 {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }
}
