import Testing

@testable import EventLoop

struct ASCIITests {
    @Test func excerptShowsPrintableTextAsIsAndEscapesTheRest() {
        #expect(ASCII.excerpt(bytes("HTTP/1.1 200 OK")) == "HTTP/1.1 200 OK")
        #expect(ASCII.excerpt(bytes("a\r\n\tb\\")) == "a\\r\\n\\tb\\\\")
        #expect(ASCII.excerpt([0x00, 0x7F, 0xC3, 0xA9]) == "\\x00\\x7F\\xC3\\xA9")
    }

    @Test func excerptCutsLongInputAtTheLimit() {
        let long = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        let excerpt = ASCII.excerpt(long)
        #expect(excerpt == String(repeating: "a", count: ASCII.excerptLimit) + "...")
        #expect(ASCII.excerpt(long.prefix(ASCII.excerptLimit)) == String(repeating: "a", count: ASCII.excerptLimit))
    }

    @Test func readsDecimalAndHexDigits() {
        #expect((0...255).compactMap { ASCII.decimalValue(UInt8($0)) } == Array(0...9))
        #expect((0...255).compactMap { ASCII.hexValue(UInt8($0)) } == Array(0...15) + Array(10...15))
        #expect(ASCII.hexValue(UInt8(ascii: "g")) == nil)
    }

    @Test func readsDecimalNumbersRejectingOverflowAndNonDigits() {
        #expect(ASCII.decimalNumber(bytes("0")) == 0)
        #expect(ASCII.decimalNumber(bytes("00042")) == 42)
        #expect(ASCII.decimalNumber(bytes("9223372036854775807")) == Int.max)
        #expect(ASCII.decimalNumber(bytes("9223372036854775808")) == nil)
        #expect(ASCII.decimalNumber(bytes("99999999999999999999")) == nil)
        #expect(ASCII.decimalNumber(bytes("")) == nil)
        #expect(ASCII.decimalNumber(bytes("1a")) == nil)
        #expect(ASCII.decimalNumber(bytes("-1")) == nil)
    }

    @Test func firstRangeFindsTheFirstOccurrenceOnTheUTF8View() {
        let text: Substring = "tcp://é.example://x"[...]
        let range = ASCII.firstRange(of: "://", in: text)
        #expect(range.map { String(text[..<$0.lowerBound]) } == "tcp")
        #expect(range.map { String(text[$0.upperBound...]) } == "é.example://x")
        // The same answer as the standard library's search, on slices that start mid-string too.
        for candidate in ["", ":", ":/", "a://", "://", "x:/:/:// ", "ab"] {
            let slice = ("-" + candidate).dropFirst()
            #expect(ASCII.firstRange(of: "://", in: slice) == slice.firstRange(of: "://"), "\(candidate)")
        }
    }
}
