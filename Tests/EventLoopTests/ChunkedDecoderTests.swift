import EventLoop
import Testing

struct ChunkedDecoderTests {
    /// Adjacent `.data` parts merged into one.
    private func mergingData(_ parts: [ChunkedDecoder.Part]) -> [ChunkedDecoder.Part] {
        mergingPieces(
            parts, piece: { if case .data(let bytes) = $0 { bytes } else { nil } }, make: ChunkedDecoder.Part.data)
    }

    private func decode(_ text: String, limits: HTTPLimits = HTTPLimits()) -> DecodeRun<
        ChunkedDecoder.Part, HTTPClientError
    > {
        decodeEveryWay(ChunkedDecoder(limits: limits), bytes(text), normalize: mergingData)
    }

    @Test func decodesChunksIntoDataThenEnd() {
        let run = decode("5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n")
        #expect(run.outputs == [.data(bytes("hello, world")), .end])
        #expect(run.error == nil)
        #expect(run.leftover.isEmpty)
    }

    @Test func acceptsUpperAndLowerCaseHexAndLeadingZeros() {
        let data = [UInt8](repeating: UInt8(ascii: "x"), count: 0x1A)
        let run = decode(
            "1a\r\n" + String(decoding: data, as: UTF8.self) + "\r\n001A\r\n" + String(decoding: data, as: UTF8.self)
                + "\r\n0\r\n\r\n")
        #expect(run.outputs == [.data(data + data), .end])
    }

    @Test func ignoresChunkExtensionsIncludingQuotedValues() {
        let run = decode("3;name=value\r\nabc\r\n2 ; a=\"x;y\"; flag\r\nde\r\n0;last\r\n\r\n")
        #expect(run.outputs == [.data(bytes("abcde")), .end])
    }

    @Test func consumesTrailersBeforeTheEnd() {
        let run = decode("2\r\nok\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\nNEXT")
        #expect(run.outputs == [.data(bytes("ok")), .end])
        #expect(run.leftover == bytes("NEXT"))
    }

    @Test func acceptsBareLineFeedsInSizeAndTrailerLines() {
        let run = decode("2\nok\r\n0\nX-T: 1\n\n")
        #expect(run.outputs == [.data(bytes("ok")), .end])
    }

    @Test func leavesBytesAfterTheEndForTheNextMessage() throws {
        var decoder = ChunkedDecoder()
        var buffer = ByteBuffer(string: "1\r\na\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n")
        #expect(try decoder.decode(&buffer) == .data(bytes("a")))
        #expect(try decoder.decode(&buffer) == .end)
        #expect(buffer.readableArray == bytes("HTTP/1.1 200 OK\r\n"))
    }

    @Test func isReadyForAnotherBodyAfterTheEnd() {
        let run = decode("1\r\na\r\n0\r\n\r\n1\r\nb\r\n0\r\n\r\n")
        #expect(run.outputs == [.data(bytes("a")), .end, .data(bytes("b")), .end])
    }

    @Test func handsOutAHugeChunkPiecewiseWithoutWaitingForIt() throws {
        // 1 GB announced, 3 bytes sent: the bytes come out at once and nothing else is held.
        var decoder = ChunkedDecoder()
        var buffer = ByteBuffer(string: "40000000\r\nabc")
        #expect(try decoder.decode(&buffer) == .data(bytes("abc")))
        #expect(try decoder.decode(&buffer) == nil)
        #expect(buffer.capacity <= ByteBuffer.retainedCapacity)
        buffer.append(contentsOf: [UInt8](repeating: 7, count: 1000))
        #expect(try decoder.decode(&buffer) == .data([UInt8](repeating: 7, count: 1000)))
        #expect(try decoder.decode(&buffer) == nil)
    }

    @Test func acceptsTheLargestChunkSizeAndRejectsOneMore() throws {
        var decoder = ChunkedDecoder()
        var buffer = ByteBuffer(string: "FFFFFFFFFFFF\r\nx")
        #expect(try decoder.decode(&buffer) == .data(bytes("x")))
        #expect(ChunkedDecoder.maxChunkSize == (1 << 48) - 1)

        let run = decode("1000000000000\r\n")
        guard case .malformedChunk(let reason)? = run.error else {
            Issue.record("expected malformedChunk, got \(String(describing: run.error))")
            return
        }
        #expect(reason.contains("exceeds 12 hex digits"))
    }

    @Test func rejectsAHugeSizeWithoutOverflowing() {
        let run = decode(String(repeating: "F", count: 40) + "\r\n")
        #expect(
            run.error
                == .malformedChunk(
                    reason: "the chunk size '\(String(repeating: "F", count: 40))' at byte 0 exceeds 12 hex digits"))
    }

    @Test func rejectsNonHexSizes() {
        #expect(decode("zz\r\n").error == .malformedChunk(reason: "the chunk-size line 'zz' at byte 0 has no hex size"))
        #expect(decode("\r\n").error == .malformedChunk(reason: "the chunk-size line '' at byte 0 has no hex size"))
        #expect(
            decode(";ext\r\n").error == .malformedChunk(reason: "the chunk-size line ';ext' at byte 0 has no hex size"))
        #expect(decode("-1\r\n").error == .malformedChunk(reason: "the chunk-size line '-1' at byte 0 has no hex size"))
    }

    @Test func rejectsBytesAfterTheSizeThatAreNotAnExtension() {
        let expected = HTTPClientError.malformedChunk(
            reason: "the chunk-size line '1g' at byte 0 has bytes after the size")
        #expect(decode("1g\r\n").error == expected)
        #expect(
            decode("1 2\r\n").error
                == .malformedChunk(reason: "the chunk-size line '1 2' at byte 0 has bytes after the size"))
        // A bare CR inside the line is a control byte, not a terminator.
        #expect(
            decode("1;a\rb\r\n").error
                == .malformedChunk(reason: "the chunk-size line '1;a\\rb' at byte 0 has bytes after the size"))
    }

    @Test func reportsTheBodyOffsetOfALaterMalformedChunk() {
        let run = decode("2\r\nok\r\nxyz\r\n")
        #expect(run.outputs == [.data(bytes("ok"))])
        #expect(run.error == .malformedChunk(reason: "the chunk-size line 'xyz' at byte 7 has no hex size"))
    }

    @Test func rejectsDataNotFollowedByCRLF() {
        let tooLong = decode("2\r\nabc\r\n")
        #expect(tooLong.outputs == [.data(bytes("ab"))])
        #expect(tooLong.error == .malformedChunk(reason: "chunk data is not followed by CRLF ('c' at byte 5)"))
        #expect(
            decode("2\r\nab\n0\r\n\r\n").error
                == .malformedChunk(reason: "chunk data is not followed by CRLF ('\\n' at byte 5)"))
        #expect(
            decode("2\r\nab\rX").error == .malformedChunk(reason: "chunk data is not followed by CRLF ('X' at byte 6)"))
    }

    @Test func rejectsALongSizeLineBeforeItEnds() throws {
        var decoder = ChunkedDecoder()
        var buffer = ByteBuffer(string: "1;" + String(repeating: "e", count: 1022))
        #expect(try decoder.decode(&buffer) == nil)  // 1024 bytes: the limit, not yet over it
        buffer.append("ee")
        #expect(throws: HTTPClientError.chunkSizeLineTooLong(limit: 1024)) { try decoder.decode(&buffer) }
    }

    @Test func honoursACustomSizeLineLimit() {
        let limits = HTTPLimits(maxChunkSizeLineLength: 4)
        #expect(decode("1;ab\r\nx\r\n0\r\n\r\n", limits: limits).outputs == [.data(bytes("x")), .end])
        #expect(decode("1;abc\r\nx\r\n", limits: limits).error == .chunkSizeLineTooLong(limit: 4))
    }

    @Test func boundsTrailersByTheHeadLimits() {
        let limits = HTTPLimits(maxHeaderCount: 2)
        #expect(decode("0\r\nA: 1\r\nB: 2\r\n\r\n", limits: limits).outputs == [.end])
        #expect(decode("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits).error == .tooManyHeaders(limit: 2))
        let small = HTTPLimits(maxHeadLineLength: 8)
        #expect(decode("0\r\nA: 123456789\r\n\r\n", limits: small).error == .headLineTooLong(limit: 8))
    }

    @Test func rejectsMalformedTrailers() {
        #expect(decode("0\r\nno colon\r\n\r\n").error == .malformedHeader(line: "no colon", reason: "it has no colon"))
    }
}
