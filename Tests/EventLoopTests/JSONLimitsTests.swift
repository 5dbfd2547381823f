import EventLoop
import Testing

struct JSONLimitsTests {
    @Test func defaultsToDepth64AndNoSizeLimits() {
        #expect(JSONLimits.default.maxDepth == 64)
        #expect(JSONLimits.default.maxStringBytes == nil)
        #expect(JSONLimits.default.maxDocumentBytes == nil)
    }

    @Test func depthZeroAllowsOnlyScalars() throws {
        let limits = JSONLimits(maxDepth: 0)
        #expect(try JSON.parse("\"x\"", limits: limits) == "x")
        #expect(throws: JSONError(offset: 0, reason: .tooDeep(limit: 0))) { try JSON.parse("[]", limits: limits) }
        #expect(throws: JSONError(offset: 0, reason: .tooDeep(limit: 0))) { try JSON.parse("{}", limits: limits) }
    }

    @Test func boundsStringLengthInInputBytes() throws {
        let limits = JSONLimits(maxStringBytes: 4)
        #expect(try JSON.parse(#"["abcd"]"#, limits: limits) == ["abcd"])
        #expect(throws: JSONError(offset: 1, reason: .stringTooLong(limit: 4))) {
            try JSON.parse(#"["abcde"]"#, limits: limits)
        }
        // Escapes count as written: "\n\n" is four input bytes.
        #expect(try JSON.parse(#""\n\n""#, limits: limits) == "\n\n")
        #expect(throws: JSONError(offset: 0, reason: .stringTooLong(limit: 4))) {
            try JSON.parse(#""\n\n\n""#, limits: limits)
        }
        #expect(throws: JSONError(offset: 1, reason: .stringTooLong(limit: 4))) {
            try JSON.parse(#"{"long key":1}"#, limits: limits)
        }
    }

    @Test func boundsDocumentSize() throws {
        let limits = JSONLimits(maxDocumentBytes: 8)
        #expect(try JSON.parse("[1,2,3] ", limits: limits) == [1, 2, 3])
        #expect(throws: JSONError(offset: 8, reason: .documentTooLarge(limit: 8))) {
            try JSON.parse("[1,2,3,4]", limits: limits)
        }
    }
}
