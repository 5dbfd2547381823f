import Testing

@testable import EventLoop

struct HTTPFieldParserTests {
    private func parse(_ text: String, limits: HTTPLimits = HTTPLimits(), consumedBytes: Int = 0)
        throws(HTTPClientError) -> (HTTPHeaders?, rest: String)
    {
        var parser = HTTPFieldParser(limits: limits, consumedBytes: consumedBytes)
        var buffer = ByteBuffer(string: text)
        let fields = try parser.parse(&buffer)
        return (fields, String(decoding: buffer.readableView, as: UTF8.self))
    }

    @Test func parsesFieldsUpToTheEmptyLineAndNoFurther() throws {
        let (fields, rest) = try parse("A: 1\r\nB:2\r\nC:  spaced  value \t\r\nEmpty:\r\n\r\nbody")
        #expect(fields == ["A": "1", "B": "2", "C": "spaced  value", "Empty": ""])
        #expect(rest == "body")
    }

    @Test func returnsNilUntilTheEmptyLineArrives() throws {
        let (fields, rest) = try parse("A: 1\r\nB: 2\r\n")
        #expect(fields == nil)
        // Complete lines are consumed as they come, so a block fed slowly is never re-parsed.
        #expect(rest == "")
        #expect(try parse("").0 == nil)
    }

    @Test func parsesAnEmptyBlock() throws {
        #expect(try parse("\r\n").0 == HTTPHeaders())
    }

    @Test func keepsObsoleteTextInValues() throws {
        var parser = HTTPFieldParser(limits: HTTPLimits())
        var buffer = ByteBuffer(bytes("X: caf") + [0xE9] + bytes("\r\n\r\n"))
        #expect(try parser.parse(&buffer)?["X"] == "caf\u{FFFD}")
    }

    @Test func countsWhatCameBeforeTheBlockTowardsTheHeadSize() throws {
        let limits = HTTPLimits(maxHeadSize: 10)
        #expect(try parse("A: 1\r\n\r\n", limits: limits, consumedBytes: 2).0 == ["A": "1"])
        #expect(throws: HTTPClientError.headTooLarge(limit: 10)) {
            try parse("A: 1\r\n\r\n", limits: limits, consumedBytes: 3)
        }
    }

    @Test func rejectsAnOversizedBlockBeforeItsLineEnds() {
        let limits = HTTPLimits(maxHeadLineLength: 100, maxHeadSize: 20)
        #expect(throws: HTTPClientError.headTooLarge(limit: 20)) {
            try parse("A: 1\r\nB: " + String(repeating: "x", count: 20), limits: limits)
        }
    }

    @Test func allowsExactlyTheHeaderCountLimit() throws {
        let limits = HTTPLimits(maxHeaderCount: 2)
        #expect(try parse("A: 1\r\nB: 2\r\n\r\n", limits: limits).0?.count == 2)
        #expect(throws: HTTPClientError.tooManyHeaders(limit: 2)) {
            try parse("A: 1\r\nB: 2\r\nC: 3\r\n", limits: limits)
        }
    }
}
