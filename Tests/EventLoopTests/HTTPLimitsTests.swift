import EventLoop
import Testing

struct HTTPLimitsTests {
    private func decodeHead(_ head: String, limits: HTTPLimits) -> HTTPClientError? {
        decodeEveryWay(HTTPResponseDecoder(limits: limits), bytes(head), normalize: mergingBodies).error
    }

    @Test func defaultsMatchWhatRealPeersNeedWithRoomToSpare() {
        let limits = HTTPLimits()
        #expect(limits.maxHeadLineLength == 8 * 1024)
        #expect(limits.maxHeadSize == 64 * 1024)
        #expect(limits.maxHeaderCount == 100)
        #expect(limits.maxChunkSizeLineLength == 1024)
    }

    @Test func boundsEachHeadLineAtExactlyTheLimit() {
        let limits = HTTPLimits(maxHeadLineLength: 20)
        let atLimit = "X: " + String(repeating: "v", count: 17)
        #expect(decodeHead("HTTP/1.1 204 X\r\n\(atLimit)\r\n\r\n", limits: limits) == nil)
        #expect(decodeHead("HTTP/1.1 204 X\r\n\(atLimit)v\r\n\r\n", limits: limits) == .headLineTooLong(limit: 20))
        // The status line counts too: 20 bytes pass, 21 do not.
        #expect(decodeHead("HTTP/1.1 204 1234567\r\n\r\n", limits: limits) == nil)
        #expect(decodeHead("HTTP/1.1 204 12345678\r\n\r\n", limits: limits) == .headLineTooLong(limit: 20))
    }

    @Test func boundsTheWholeHeadIncludingStatusLineAndTerminators() {
        // "HTTP/1.1 204 X\r\n" (16) + "A: 1\r\n" (6) + "\r\n" (2) = 24 bytes.
        let head = "HTTP/1.1 204 X\r\nA: 1\r\n\r\n"
        #expect(decodeHead(head, limits: HTTPLimits(maxHeadSize: 24)) == nil)
        #expect(decodeHead(head, limits: HTTPLimits(maxHeadSize: 23)) == .headTooLarge(limit: 23))
        #expect(decodeHead(head, limits: HTTPLimits(maxHeadSize: 15)) == .headTooLarge(limit: 15))
    }

    @Test func aLineBreakingBothLimitsFailsByWhicheverBoundItsBytesPassFirstHoweverTheyAreSplit() {
        // A 22-byte status line and header, then a header line longer than 20 bytes that runs past the head's end.
        // Fed a byte at a time, the line is known too long at byte 22 + 22 = 44 and the head at byte maxHeadSize + 1;
        // fed whole, the same error must come out (decodeHead checks whole, byte by byte and random splits agree).
        let head = "HTTP/1.1 204 X\r\nA: 1\r\nB: " + String(repeating: "v", count: 60) + "\r\n\r\n"
        let line = 20
        #expect(
            decodeHead(head, limits: HTTPLimits(maxHeadLineLength: line, maxHeadSize: 43))
                == .headLineTooLong(limit: 20))
        #expect(
            decodeHead(head, limits: HTTPLimits(maxHeadLineLength: line, maxHeadSize: 42)) == .headTooLarge(limit: 42))
        // The status line too: its bound (21 bytes seen) comes first unless the head's is lower.
        let long = "HTTP/1.1 204 " + String(repeating: "x", count: 40) + "\r\n\r\n"
        #expect(
            decodeHead(long, limits: HTTPLimits(maxHeadLineLength: line, maxHeadSize: 21))
                == .headLineTooLong(limit: 20))
        #expect(
            decodeHead(long, limits: HTTPLimits(maxHeadLineLength: line, maxHeadSize: 20)) == .headTooLarge(limit: 20))
    }

    @Test func boundsTheHeaderCount() {
        let limits = HTTPLimits(maxHeaderCount: 3)
        #expect(decodeHead("HTTP/1.1 204 X\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits) == nil)
        #expect(
            decodeHead("HTTP/1.1 204 X\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", limits: limits)
                == .tooManyHeaders(limit: 3))
    }

    @Test func appliesTheLimitsAfreshToEachResponse() {
        let limits = HTTPLimits(maxHeadSize: 24, maxHeaderCount: 1)
        let head = "HTTP/1.1 204 X\r\nA: 1\r\n\r\n"
        let run = decodeEveryWay(HTTPResponseDecoder(limits: limits), bytes(head + "HTTP/1.1 100 Y\r\n\r\n" + head))
        #expect(run.error == nil)
        #expect(run.outputs.count == 4)
    }
}
