/// Dates of the proleptic Gregorian calendar as day counts since 1970-01-01 and back, exactly, by Howard Hinnant's
/// `days_from_civil` and `civil_from_days` algorithms: no Foundation and no C library time-zone state. For the UTC
/// timestamps the executor logs and the simulated Sidecar writes.
public enum CivilDate {
    /// The date `days` days after 1970-01-01 (before it when negative); `month` is 1 to 12, `day` 1 to 31.
    public static func date(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The number of days from 1970-01-01 to the date (negative before it).
    public static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date and the time of day `seconds` seconds after 1970-01-01 00:00:00 (before it when negative).
    public static func dateTime(secondsSinceEpoch seconds: Int64) -> (
        year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64, daysSinceEpoch: Int64
    ) {
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = date(daysSinceEpoch: days)
        return (year, month, day, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60, days)
    }

    /// `YYYY-MM-DDTHH:MM:SS` of `seconds` after 1970-01-01 00:00:00: the date and time of an RFC 3339 timestamp,
    /// without fraction or offset.
    public static func dateTimeText(secondsSinceEpoch seconds: Int64) -> String {
        let t = dateTime(secondsSinceEpoch: seconds)
        return "\(padded(t.year, 4))-\(padded(t.month, 2))-\(padded(t.day, 2))T"
            + "\(padded(t.hour, 2)):\(padded(t.minute, 2)):\(padded(t.second, 2))"
    }

    /// The quotient rounded towards minus infinity and the remainder, which is never negative (`divisor` > 0).
    public static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = (value % divisor + divisor) % divisor
        return ((value - remainder) / divisor, remainder)
    }

    /// `value` (not negative) with zeros in front up to `width` digits.
    public static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
