import EventLoop
import Testing

struct CivilDateTests {
    @Test(arguments: [
        (Int64(0), Int64(1970), Int64(1), Int64(1)),
        (-1, 1969, 12, 31),
        (11_016, 2000, 2, 29),
        (11_017, 2000, 3, 1),
        (19_782, 2024, 2, 29),
        (-719_468, 0, 3, 1),
        (2_932_896, 9999, 12, 31),
    ])
    func knownDates(days: Int64, year: Int64, month: Int64, day: Int64) {
        #expect(CivilDate.date(daysSinceEpoch: days) == (year, month, day))
        #expect(CivilDate.daysSinceEpoch(year: year, month: month, day: day) == days)
    }

    /// Day after day across four centuries either side of the epoch: each date is the day after the previous one
    /// (month lengths and leap years included) and converts back to its count.
    @Test func consecutiveDaysAreConsecutiveDatesAndRoundTrip() {
        func daysIn(_ year: Int64, _ month: Int64) -> Int64 {
            switch month {
            case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }
        var previous = CivilDate.date(daysSinceEpoch: -146_097 - 1)
        for days in -146_097...(2 * 146_097) {
            let date = CivilDate.date(daysSinceEpoch: Int64(days))
            let expected: (Int64, Int64, Int64) =
                previous.day < daysIn(previous.year, previous.month)
                ? (previous.year, previous.month, previous.day + 1)
                : previous.month < 12 ? (previous.year, previous.month + 1, 1) : (previous.year + 1, 1, 1)
            guard date == expected, CivilDate.daysSinceEpoch(year: date.0, month: date.1, day: date.2) == days else {
                Issue.record("day \(days): \(date), expected \(expected)")
                return
            }
            previous = date
        }
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00"),
        (-1, "1969-12-31T23:59:59"),
        (-86_400, "1969-12-31T00:00:00"),
        (-86_401, "1969-12-30T23:59:59"),
        (951_782_400, "2000-02-29T00:00:00"),
        (1_627_302_896, "2021-07-26T12:34:56"),
        (253_402_300_799, "9999-12-31T23:59:59"),
    ])
    func dateTimeTextOfSecondsEitherSideOfTheEpoch(seconds: Int64, text: String) {
        #expect(CivilDate.dateTimeText(secondsSinceEpoch: seconds) == text)
    }

    @Test func floorDivisionRoundsTowardsMinusInfinityWithANonNegativeRemainder() {
        for value in Int64(-2001)...2001 {
            let (quotient, remainder) = CivilDate.floorDivide(value, 1000)
            #expect(quotient * 1000 + remainder == value && (0..<1000).contains(remainder), "\(value)")
        }
        #expect(CivilDate.floorDivide(-1, 1000) == (-1, 999))
        #expect(CivilDate.padded(7, 3) == "007" && CivilDate.padded(12345, 3) == "12345")
    }
}
