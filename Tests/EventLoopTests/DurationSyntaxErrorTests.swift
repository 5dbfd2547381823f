import EventLoop
import Testing

struct DurationSyntaxErrorTests {
    @Test func namesTheInputAndWhatIsWrong() {
        let unknown = DurationSyntaxError(input: "1d", syntax: .go, reason: .unknownUnit("d"))
        #expect(
            unknown.description
                == "Invalid duration \"1d\": unknown unit \"d\"; expected one of ns, us, \u{B5}s, ms, s, m or h.")
        let missing = DurationSyntaxError(input: "5", syntax: .mesos, reason: .missingUnit)
        #expect(
            missing.description
                == "Invalid duration \"5\": a number has no unit; expected one of ns, us, ms, secs, mins, hrs, days or weeks."
        )
    }

    @Test func describesEveryReasonAsASentence() {
        let reasons: [DurationSyntaxError.Reason] = [
            .empty, .missingNumber, .missingUnit, .unknownUnit("x"), .outOfRange,
        ]
        for syntax in [DurationSyntaxError.Syntax.go, .mesos] {
            for reason in reasons {
                let text = DurationSyntaxError(input: "in", syntax: syntax, reason: reason).description
                #expect(text.hasPrefix("Invalid duration \"in\": "))
                #expect(text.hasSuffix("."))
            }
        }
    }

    @Test func parseErrorsCarryTheWholeInput() {
        do {
            _ = try Duration.parseGo("1h5x")
            Issue.record("expected an error")
        } catch {
            #expect(error.input == "1h5x")
            #expect(error.reason == .unknownUnit("x"))
        }
    }
}
