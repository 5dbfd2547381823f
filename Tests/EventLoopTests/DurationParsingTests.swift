import EventLoop
import Testing

struct DurationParsingTests {
    @Test func parsesGoDurations() throws {
        let cases: [(String, Int64)] = [
            ("0", 0), ("+0", 0), ("-0", 0), ("0s", 0), ("5s", 5_000_000_000), ("-5s", -5_000_000_000),
            ("+5s", 5_000_000_000), ("250ms", 250_000_000), ("1m30s", 90_000_000_000), ("1.5h", 5_400_000_000_000),
            ("5.6s", 5_600_000_000), ("5.s", 5_000_000_000), (".5s", 500_000_000), ("1.004s", 1_004_000_000),
            ("100.00100s", 100_001_000_000), ("10ns", 10), ("11us", 11_000), ("12\u{B5}s", 12_000),
            ("12\u{3BC}s", 12_000), ("13ms", 13_000_000), ("15m", 900_000_000_000), ("16h", 57_600_000_000_000),
            ("3h30m", 12_600_000_000_000), ("10.5s4m", 250_500_000_000), ("-2m3.4s", -123_400_000_000),
            ("1h2m3s4ms5us6ns", 3_723_004_005_006), ("39h9m14.425s", 140_954_425_000_000),
            // Exact decimal arithmetic truncates where Go's float64 rounds up to 20m: under a nanosecond apart.
            ("0.3333333333333333333h", 1_199_999_999_999), ("9007199254740993ns", 9_007_199_254_740_993),
            ("9223372036854775807ns", .max), ("9223372036854775.807us", .max), ("-9223372036854775808ns", .min),
            ("0.100000000000000000000h", 360_000_000_000), ("0.830103483285477580700h", 2_988_372_539_827),
        ]
        for (text, nanoseconds) in cases {
            #expect(try Duration.parseGo(text) == .nanoseconds(nanoseconds), "\(text)")
        }
    }

    @Test func rejectsMalformedGoDurationsWithTheReason() {
        let cases: [(String, DurationSyntaxError.Reason)] = [
            ("", .empty), ("-", .missingNumber), ("3", .missingUnit), ("1m30", .missingUnit), ("s", .missingNumber),
            (".", .missingNumber), ("-.", .missingNumber), (".s", .missingNumber), ("+.s", .missingNumber),
            ("1d", .unknownUnit("d")), ("1sec", .unknownUnit("sec")), ("1.2.3s", .missingUnit),
            ("5 s", .unknownUnit(" s")), ("1S", .unknownUnit("S")),
            ("9223372036854775808ns", .outOfRange), ("-9223372036854775809ns", .outOfRange),
            ("9223372036854775.808us", .outOfRange), ("3000000h", .outOfRange),
            ("99999999999999999999999s", .outOfRange),
        ]
        for (text, reason) in cases {
            #expect(throws: DurationSyntaxError(input: text, syntax: .go, reason: reason), "\(text)") {
                try Duration.parseGo(text)
            }
        }
    }

    @Test func parsesMesosDurations() throws {
        let cases: [(String, Duration)] = [
            ("5secs", .seconds(5)), ("2.5secs", .milliseconds(2_500)), ("100ms", .milliseconds(100)),
            ("10ns", .nanoseconds(10)), ("3us", .microseconds(3)), ("15mins", .seconds(900)),
            ("1hrs", .seconds(3_600)), ("2days", .seconds(172_800)), ("1weeks", .seconds(604_800)),
            ("0ns", .zero), (".5secs", .milliseconds(500)), ("1.secs", .seconds(1)),
        ]
        for (text, duration) in cases {
            #expect(try Duration.parseMesos(text) == duration, "\(text)")
        }
    }

    @Test func rejectsMalformedMesosDurationsWithTheReason() {
        let cases: [(String, DurationSyntaxError.Reason)] = [
            ("", .empty), ("5", .missingUnit), ("secs", .missingNumber), ("5sec", .unknownUnit("sec")),
            ("5s", .unknownUnit("s")), ("-5secs", .missingNumber), ("1.2.3secs", .missingNumber),
            ("5 secs", .unknownUnit(" secs")), ("1m30s", .unknownUnit("m30s")), (".secs", .missingNumber),
            ("99999weeks", .outOfRange),
        ]
        for (text, reason) in cases {
            #expect(throws: DurationSyntaxError(input: text, syntax: .mesos, reason: reason), "\(text)") {
                try Duration.parseMesos(text)
            }
        }
    }

    @Test func describesDurationsInTheLargestWholeMesosUnit() {
        #expect(Duration.seconds(5).mesosDescription == "5secs")
        #expect(Duration.seconds(900).mesosDescription == "15mins")
        #expect(Duration.milliseconds(2_500).mesosDescription == "2500ms")
        #expect(Duration.seconds(3_600).mesosDescription == "1hrs")
        #expect(Duration.seconds(129_600).mesosDescription == "36hrs")
        #expect(Duration.seconds(1_209_600).mesosDescription == "2weeks")
        #expect(Duration.seconds(86_400).mesosDescription == "1days")
        #expect(Duration.microseconds(1_500).mesosDescription == "1500us")
        #expect(Duration.nanoseconds(1).mesosDescription == "1ns")
        #expect(Duration.zero.mesosDescription == "0ns")
        #expect(Duration.seconds(-5).mesosDescription == "-5secs")
    }

    @Test func mesosDescriptionsParseBackToTheSameDuration() throws {
        var state: UInt64 = 99
        for _ in 0..<500 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let unit: [Int64] = [1, 1_000, 1_000_000, 1_000_000_000, 60_000_000_000]
            let nanoseconds = Int64(state >> 44) * unit[Int(state % 5)]
            let duration = Duration.nanoseconds(nanoseconds)
            #expect(try Duration.parseMesos(duration.mesosDescription) == duration, "\(nanoseconds)")
        }
    }

    @Test func convertsToNanosecondsAndSeconds() {
        #expect(Duration.milliseconds(1_500).nanosecondsValue == 1_500_000_000)
        #expect(Duration.nanoseconds(-7).nanosecondsValue == -7)
        #expect(Duration.seconds(Int64.max).nanosecondsValue == .max)
        #expect(Duration.seconds(Int64.min).nanosecondsValue == .min)
        #expect(Duration.milliseconds(1_500).secondsValue == 1.5)
        #expect(Duration.milliseconds(-250).secondsValue == -0.25)
    }
}
