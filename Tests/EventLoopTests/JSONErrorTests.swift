import EventLoop
import Testing

struct JSONErrorTests {
    @Test func describesAnUnexpectedByteAsASentenceWithItsOffset() {
        let error = JSONError(offset: 17, reason: .unexpectedByte(UInt8(ascii: "x"), expected: .commaOrEndOfObject))
        #expect(error.description == "Invalid JSON at byte 17: expected ',' or '}' but found 'x'.")
    }

    @Test func showsUnprintableBytesInHex() {
        let error = JSONError(offset: 3, reason: .controlCharacterInString(0x0A))
        #expect(
            error.description == "Invalid JSON at byte 3: control character byte 0x0A must be escaped inside a string.")
        let high = JSONError(offset: 0, reason: .unexpectedByte(0xFF, expected: .value))
        #expect(high.description == "Invalid JSON at byte 0: expected a value but found byte 0xFF.")
    }

    @Test func describesEveryReasonAsAFullSentence() {
        let reasons: [JSONError.Reason] = [
            .unexpectedEnd, .unexpectedByte(UInt8(ascii: "]"), expected: .objectKey), .invalidEscape,
            .invalidUnicodeEscape, .loneSurrogate, .invalidUTF8, .controlCharacterInString(1), .invalidNumber,
            .numberOutOfRange, .trailingData(UInt8(ascii: "x")), .tooDeep(limit: 64), .stringTooLong(limit: 10),
            .documentTooLarge(limit: 99),
        ]
        var seen = Set<String>()
        for reason in reasons {
            let text = JSONError(offset: 5, reason: reason).description
            #expect(text.hasPrefix("Invalid JSON at byte 5: "))
            #expect(text.hasSuffix("."))
            seen.insert(text)
        }
        #expect(seen.count == reasons.count)
        #expect(JSONError(offset: 1, reason: .tooDeep(limit: 64)).description.contains("64"))
    }

    @Test func parserErrorsDescribeThemselves() {
        #expect(throws: JSONError.self) { try JSON.parse("{\"a\":1 x}") }
        do {
            _ = try JSON.parse("{\"a\":1 x}")
        } catch {
            #expect(error.description == "Invalid JSON at byte 7: expected ',' or '}' but found 'x'.")
        }
    }
}
