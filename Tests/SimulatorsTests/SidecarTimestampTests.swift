import Simulators
import Testing

struct SidecarTimestampTests {
    @Test func formatsLikeGoTimeJSONWithTrailingZerosTrimmed() {
        #expect(SidecarTimestamp.epoch.description == "1970-01-01T00:00:00Z")
        #expect(SidecarTimestamp(year: 2024, month: 5, day: 1, hour: 10).description == "2024-05-01T10:00:00Z")
        let half = SidecarTimestamp(
            year: 2024, month: 5, day: 1, hour: 10, minute: 0, second: 4, nanosecond: 500_000_000)
        #expect(half.description == "2024-05-01T10:00:04.5Z")
        let nanos = SidecarTimestamp(
            year: 2024, month: 5, day: 1, hour: 10, minute: 5, second: 3, nanosecond: 123_456_789)
        #expect(nanos.description == "2024-05-01T10:05:03.123456789Z")
        #expect(SidecarTimestamp(nanosecondsSinceEpoch: 1).description == "1970-01-01T00:00:00.000000001Z")
    }

    @Test func handlesLeapDaysCenturiesAndTimesBefore1970() {
        #expect(
            SidecarTimestamp(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59).description
                == "2024-02-29T23:59:59Z")
        #expect(SidecarTimestamp(year: 2000, month: 3, day: 1).nanosecondsSinceEpoch == 951_868_800 * 1_000_000_000)
        #expect(SidecarTimestamp(nanosecondsSinceEpoch: -1).description == "1969-12-31T23:59:59.999999999Z")
        #expect(SidecarTimestamp(year: 1900, month: 1, day: 1).description == "1900-01-01T00:00:00Z")
    }

    @Test func parsesWhatItFormats() {
        for text in [
            "2024-05-01T10:05:03.123456789Z", "2024-05-01T10:00:04.5Z", "1970-01-01T00:00:00Z",
            "2099-12-31T23:59:59.01Z",
        ] {
            #expect(SidecarTimestamp(rfc3339: text)?.description == text)
        }
        #expect(SidecarTimestamp(rfc3339: "2024-05-01T10:00:04.5Z")?.nanosecondsSinceEpoch == 1_714_557_604_500_000_000)
    }

    @Test(arguments: [
        "", "2024-05-01", "2024-05-01T10:00:00", "2024-05-01T10:00:00+02:00", "2024-13-01T10:00:00Z",
        "2024-05-01T24:00:00Z", "2024-05-01T10:00:00.Z", "2024-05-01T10:00:00.1234567890Z", "2024/05/01T10:00:00Z",
        "2024-05-01T10:00:0xZ",
    ])
    func rejectsOtherTimeFormats(text: String) {
        #expect(SidecarTimestamp(rfc3339: text) == nil)
    }

    @Test func formatsHTTPDates() {
        #expect(SidecarTimestamp.epoch.httpDate == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(SidecarTimestamp(rfc3339: "2024-05-01T10:00:04.5Z")?.httpDate == "Wed, 01 May 2024 10:00:04 GMT")
        #expect(SidecarTimestamp(rfc3339: "1969-12-28T12:00:00Z")?.httpDate == "Sun, 28 Dec 1969 12:00:00 GMT")
    }

    @Test func addsDurationsAndOrdersInstants() {
        let start = SidecarTimestamp(rfc3339: "2024-05-01T10:00:00Z")!
        let later = start.adding(.milliseconds(1500))
        #expect(later.description == "2024-05-01T10:00:01.5Z")
        #expect(start < later)
    }

    @Test func readsTheWallClock() {
        // Only a sanity bound (after this code was written), never a speed assertion.
        #expect(SidecarTimestamp.now() > SidecarTimestamp(rfc3339: "2024-01-01T00:00:00Z")!)
    }
}
