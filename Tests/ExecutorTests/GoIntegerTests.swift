import Testing

@testable import Executor

/// Go's `strconv.ParseInt(s, 0, 64)` / `ParseUint(s, 0, 64)`, the integer syntax of the original's settings. The
/// expected values are what Go returns for the same text.
struct GoIntegerTests {
    @Test(
        arguments: [
            ("0", 0), ("7", 7), ("010", 8), ("0x1e", 30), ("0X1E", 30), ("0b101", 5), ("0B11", 3), ("0o17", 15),
            ("0O17", 15), ("1_000", 1000), ("0x_1f", 31), ("0_7", 7), ("0b_1", 1), ("+5", 5), ("-5", -5),
            ("-0x10", -16),
            ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min), ("00", 0), ("0777", 511),
        ] as [(String, Int64)])
    func signedValuesAreReadAsGoReadsThem(text: String, expected: Int64) throws {
        #expect(try GoInteger.parseSigned(text) == expected)
    }

    @Test(arguments: [
        "", "+", "-", " 5", "5 ", "08", "09", "0x", "0b", "0o", "0b2", "0o8", "0xg", "1__0", "_1", "1_", "0x_", "+_1",
        "1e3", "1.0", "five", "0x1_", "١٢",
    ])
    func goRejectsTheseSoDoWe(text: String) {
        #expect(throws: GoInteger.Failure.syntax) { try GoInteger.parseSigned(text) }
    }

    @Test func valuesBeyond64BitsAreARangeError() {
        #expect(throws: GoInteger.Failure.range) { try GoInteger.parseSigned("9223372036854775808") }
        #expect(throws: GoInteger.Failure.range) { try GoInteger.parseSigned("-9223372036854775809") }
        #expect(throws: GoInteger.Failure.range) { try GoInteger.parseUnsigned("18446744073709551616") }
        #expect(throws: GoInteger.Failure.range) { try GoInteger.parseUnsigned("0x1_0000_0000_0000_0000") }
    }

    @Test func theUnsignedFormTakesNoSignAndTheWholeRange() throws {
        #expect(try GoInteger.parseUnsigned("18446744073709551615") == UInt64.max)
        #expect(try GoInteger.parseUnsigned("0xffff_ffff_ffff_ffff") == UInt64.max)
        #expect(throws: GoInteger.Failure.syntax) { try GoInteger.parseUnsigned("+5") }
        #expect(throws: GoInteger.Failure.syntax) { try GoInteger.parseUnsigned("-5") }
    }
}
