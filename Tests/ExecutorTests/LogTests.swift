import Testing

@testable import Executor

struct TimestampTests {
    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (1_717_495_200.123, "2024-06-04T10:00:00.123Z"),
        (951_782_400.0, "2000-02-29T00:00:00.000Z"),
        (1_795_594_068.5, "2026-11-25T08:07:48.500Z"),
        (-1.0, "1969-12-31T23:59:59.000Z"),
    ])
    func formatsUTCWithMilliseconds(seconds: Double, expected: String) {
        #expect(Timestamp.iso8601(epochSeconds: seconds) == expected)
    }
}

struct RedactionTests {
    @Test func secretLookingNamesAreRedacted() {
        #expect(Redaction.environmentEntry("DB_PASSWORD=hunter2") == "DB_PASSWORD=<redacted>")
        #expect(Redaction.environmentEntry("api_key=abc") == "api_key=<redacted>")
        #expect(Redaction.environmentEntry("VAULT_TOKEN=s.x") == "VAULT_TOKEN=<redacted>")
        #expect(Redaction.environmentEntry("MY_SECRET_THING=a=b") == "MY_SECRET_THING=<redacted>")
        #expect(Redaction.environmentEntry("SERVICE_NAME=web") == "SERVICE_NAME=web")
    }
}
