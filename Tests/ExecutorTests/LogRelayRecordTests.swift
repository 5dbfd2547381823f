import EventLoop
import Testing

@testable import Executor

/// The relay's records byte for byte as the original's logrus JSON formatter wrote them.
struct LogRelayRecordTests {
    static func record(_ payload: String, level: LogRelayRecord.Level = .info, labels: [String: String] = [:])
        -> String
    {
        let record = LogRelayRecord(
            payload: payload, level: level, hostname: "h1", labels: labels, epochSeconds: 1_627_302_896, utcOffset: 0)
        return String(decoding: record.datagram, as: UTF8.self)
    }

    @Test func theFieldsInKeyOrderEndedByANewline() {
        #expect(
            Self.record("the line", labels: ["ServiceName": "web"])
                == #"{"Hostname":"h1","Level":"info","Payload":"the line","ServiceName":"web","Timestamp":"2021-07-26T12:34:56Z"}"#
                + "\n")
    }

    @Test func htmlCharactersControlsAndQuotesAreEscapedAsGoDoes() {
        #expect(
            Self.record("<a href=\"x\">&\\\t\u{1}\u{2028}é</a>")
                == #"{"Hostname":"h1","Level":"info","Payload":"\u003ca href=\"x\"\u003e\u0026\\\t\u0001\u2028é\u003c/a\u003e","Timestamp":"2021-07-26T12:34:56Z"}"#
                + "\n")
    }

    @Test func labelsNamedLikeTheRecordsOwnFieldsAreRenamed() {
        let text = Self.record(
            "x", level: .error, labels: ["Timestamp": "t", "Level": "l", "Payload": "p", "Hostname": "mine", "a": "1"])
        #expect(
            text
                == #"{"Hostname":"h1","Level":"error","Payload":"x","Timestamp":"2021-07-26T12:34:56Z","a":"1","fields.Level":"l","fields.Payload":"p","fields.Timestamp":"t"}"#
                + "\n")
    }

    @Test(arguments: [
        (0, "2021-07-26T12:34:56Z"), (7200, "2021-07-26T14:34:56+02:00"), (-16_200, "2021-07-26T08:04:56-04:30"),
    ])
    func theTimestampIsLocalRFC3339InWholeSeconds(offset: Int, expected: String) {
        #expect(LogRelayRecord.rfc3339(epochSeconds: 1_627_302_896, utcOffset: offset) == expected)
    }

    @Test func stderrLinesMentioningErrorAreErrors() {
        #expect(LogRelayRecord.level(of: "an ERROR occurred", fromStderr: true) == .error)
        #expect(LogRelayRecord.level(of: "Errors: 0", fromStderr: true) == .error)
        #expect(LogRelayRecord.level(of: "all fine", fromStderr: true) == .info)
        #expect(LogRelayRecord.level(of: "error on stdout", fromStderr: false) == .info)
    }
}
