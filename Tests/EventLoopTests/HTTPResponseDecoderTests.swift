import EventLoop
import TestSupport
import Testing

struct HTTPResponseDecoderTests {
    private func decode(
        _ text: String,
        atEOF: Bool = false,
        expecting method: HTTPMethod = .get,
        limits: HTTPLimits = HTTPLimits()
    ) -> DecodeRun<HTTPResponsePart, HTTPClientError> {
        var decoder = HTTPResponseDecoder(limits: limits)
        decoder.expectResponse(to: method)
        return decodeEveryWay(decoder, bytes(text), endWithEOF: atEOF, normalize: mergingBodies)
    }

    private func head(
        _ status: Int,
        _ reason: String,
        _ headers: HTTPHeaders,
        minor: Int = 1
    ) -> HTTPResponsePart {
        .head(HTTPResponseHead(versionMinor: minor, status: status, reason: reason, headers: headers))
    }

    // MARK: - Framings

    @Test func decodesAContentLengthResponse() {
        let run = decode("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n\r\nOK")
        #expect(
            run.outputs == [
                head(200, "OK", ["Content-Type": "text/plain; charset=utf-8", "Content-Length": "2"]),
                .body(bytes("OK")), .end,
            ])
        #expect(run.error == nil)
        #expect(run.leftover.isEmpty)
    }

    @Test func decodesTheRecordedDockerWaitResponse() {
        let wire =
            "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
            + "Docker-Experimental: false\r\nOstype: linux\r\nServer: Docker/20.10.24+dfsg1 (linux)\r\n"
            + "Date: Wed, 25 Nov 2026 08:07:48 GMT\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "1e\r\n{\"Error\":null,\"StatusCode\":3}\n\r\n0\r\n\r\n"
        let run = decode(wire)
        #expect(run.outputs.count == 3)
        guard case .head(let head)? = run.outputs.first else {
            Issue.record("no head in \(run.outputs)")
            return
        }
        #expect(head.status == 200 && head.isKeepAlive)
        #expect(head.headers["api-version"] == "1.41")
        #expect(head.headers.count == 7)
        #expect(run.outputs.dropFirst() == [.body(bytes("{\"Error\":null,\"StatusCode\":3}\n")), .end])
    }

    @Test func handsOutTheHeadOfALongPollBeforeItsBody() throws {
        // Docker's wait sends the head at once and the body when the container exits.
        var decoder = HTTPResponseDecoder()
        var buffer = ByteBuffer(string: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(try decoder.decode(&buffer) == head(200, "OK", ["Transfer-Encoding": "chunked"]))
        #expect(try decoder.decode(&buffer) == nil)
        buffer.append("1e\r\n{\"Error\":null,\"StatusCode\":3}\n\r\n0\r\n\r\n")
        #expect(try decoder.decode(&buffer) == .body(bytes("{\"Error\":null,\"StatusCode\":3}\n")))
        #expect(try decoder.decode(&buffer) == .end)
    }

    @Test func decodesAChunkedBodyWithExtensionsAndTrailers() {
        let run = decode(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n4;a=b\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Sum: 1\r\n\r\n")
        #expect(
            run.outputs == [head(200, "OK", ["Transfer-Encoding": "Chunked"]), .body(bytes("Wikipedia")), .end])
    }

    @Test func endsAConnectionDelimitedBodyAtEOF() {
        let http10 = decode("HTTP/1.0 200 OK\r\nServer: old\r\n\r\nuntil the end", atEOF: true)
        #expect(http10.outputs == [head(200, "OK", ["Server": "old"], minor: 0), .body(bytes("until the end")), .end])
        #expect(http10.error == nil)

        let closing = decode("HTTP/1.1 500 Oops\r\nConnection: close\r\n\r\nbroken\n", atEOF: true)
        #expect(closing.outputs == [head(500, "Oops", ["Connection": "close"]), .body(bytes("broken\n")), .end])
    }

    @Test func waitsForEOFToEndAConnectionDelimitedBody() {
        let run = decode("HTTP/1.1 200 OK\r\n\r\nso far")
        #expect(run.outputs == [head(200, "OK", [:]), .body(bytes("so far"))])
    }

    @Test func gives204And304NoBodyAndDecodesTheNextResponse() {
        let run = decode(
            "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")
        #expect(
            run.outputs == [
                head(204, "No Content", [:]), .end,
                head(304, "Not Modified", ["Content-Length": "99"]), .end,
                head(200, "OK", ["Content-Length": "1"]), .body(bytes("x")), .end,
            ])
    }

    @Test func givesAResponseToHEADNoBodyDespiteItsContentLength() {
        let wire = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK"
        let run = decode(wire, expecting: .head)
        // Only the first response answers HEAD; the second carries its body.
        #expect(
            run.outputs == [
                head(200, "OK", ["Content-Length": "2"]), .end,
                head(200, "OK", ["Content-Length": "2"]), .body(bytes("OK")), .end,
            ])
    }

    @Test func decodesTwoPipelinedKeepAliveResponsesFromOneBuffer() {
        let run = decode(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOKHTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nno\r\n0\r\n\r\n")
        #expect(
            run.outputs == [
                head(200, "OK", ["Content-Length": "2"]), .body(bytes("OK")), .end,
                head(404, "Not Found", ["Transfer-Encoding": "chunked"]), .body(bytes("no")), .end,
            ])
        #expect(run.leftover.isEmpty)
    }

    @Test func skipsInterimResponses() {
        let run = decode(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX: y\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        #expect(run.outputs == [head(201, "Created", ["Content-Length": "0"]), .end])
    }

    @Test func keepsTheHEADExpectationAcrossInterimResponses() {
        let run = decode("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", expecting: .head)
        #expect(run.outputs == [head(200, "OK", ["Content-Length": "5"]), .end])
    }

    @Test func handsOutTheStreamAfterSwitchingProtocolsAsBodyUntilClose() {
        let run = decode("HTTP/1.1 101 UPGRADED\r\nUpgrade: tcp\r\n\r\nraw\u{1}bytes", atEOF: true)
        #expect(run.outputs == [head(101, "UPGRADED", ["Upgrade": "tcp"]), .body(bytes("raw\u{1}bytes")), .end])
    }

    @Test func acceptsEqualRepeatedContentLengths() {
        let run = decode("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc")
        #expect(run.outputs.suffix(2) == [.body(bytes("abc")), .end])
    }

    @Test func acceptsBareLineFeedsInTheHead() {
        let run = decode("HTTP/1.1 200 OK\nContent-Length: 1\n\nx")
        #expect(run.outputs == [head(200, "OK", ["Content-Length": "1"]), .body(bytes("x")), .end])
    }

    @Test func decodesTheRecordedMesosSubscribeStreamIntoRecords() throws {
        let wire = MesosSubscribeRecording.wire
        for pieces in splittings(of: wire.count) {
            var decoder = HTTPResponseDecoder()
            var records = RecordIODecoder()
            var socket = ByteBuffer()
            var body = ByteBuffer()
            var heads: [HTTPResponseHead] = []
            var decoded: [String] = []
            var fed = 0
            for piece in pieces {
                socket.append(contentsOf: wire[fed..<fed + piece])
                fed += piece
                while let part = try decoder.decode(&socket) {
                    switch part {
                    case .head(let head): heads.append(head)
                    case .body(let bytes): body.append(contentsOf: bytes)
                    case .end: Issue.record("the SUBSCRIBE stream never ends by itself")
                    }
                    while let record = try records.decode(&body) {
                        decoded.append(String(decoding: record, as: UTF8.self))
                    }
                }
            }
            #expect(heads.map(\.status) == [200])
            #expect(heads.first?.headers["content-type"] == "application/json")
            #expect(decoded == MesosSubscribeRecording.events, "split into \(pieces.count) pieces")
        }
    }

    // MARK: - EOF

    @Test func returnsNilAtACleanCloseBetweenResponses() {
        let run = decode("HTTP/1.1 204 No Content\r\n\r\n", atEOF: true)
        #expect(run.outputs == [head(204, "No Content", [:]), .end])
        #expect(run.error == nil)
        #expect(decode("", atEOF: true) == DecodeRun())
    }

    @Test func reportsEOFInsideAResponse() {
        #expect(decode("HTTP/1.1 20", atEOF: true).error == .connectionClosedEarly(during: "the status line"))
        #expect(
            decode("HTTP/1.1 200 OK\r\nA: b", atEOF: true).error
                == .connectionClosedEarly(during: "the response headers"))
        let short = decode("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", atEOF: true)
        #expect(short.outputs == [head(200, "OK", ["Content-Length": "10"]), .body(bytes("abc"))])
        #expect(short.error == .connectionClosedEarly(during: "the body, 7 bytes short of its Content-Length"))
        let chunked = decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", atEOF: true)
        #expect(chunked.error == .connectionClosedEarly(during: "the chunked body"))
    }

    @Test func keepsFailingAfterAnError() throws {
        var decoder = HTTPResponseDecoder()
        var buffer = ByteBuffer(string: "HTTP/1.1 2x0 OK\r\n")
        let error = HTTPClientError.malformedStatusLine("HTTP/1.1 2x0 OK")
        #expect(throws: error) { try decoder.decode(&buffer) }
        buffer.append("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        #expect(throws: error) { try decoder.decode(&buffer) }
        #expect(throws: error) { try decoder.decodeAtEOF(&buffer) }
    }

    // MARK: - Malformed heads and framing

    @Test func rejectsMalformedStatusLines() {
        let lines = [
            "HTTP/1.1 2x0 OK", "HTTP/1.1 200OK", "HTTP/1.1  200 OK", "HTTP/1.1", "HTTP/1.1 99 Low", "HTTP/1.1 600 X",
            "HTTP/x.1 200 OK", "HTTP/1 200 OK", "http/1.1 200 OK", "ICY 200 OK", "",
        ]
        for line in lines {
            #expect(decode(line + "\r\n\r\n").error == .malformedStatusLine(line), "\(line)")
        }
        // Control bytes in the reason, a bare CR included, are shown escaped.
        #expect(decode("HTTP/1.1 200 O\u{1}K\r\n\r\n").error == .malformedStatusLine("HTTP/1.1 200 O\\x01K"))
        #expect(decode("HTTP/1.1 200 OK\r\r\n\r\n").error == .malformedStatusLine("HTTP/1.1 200 OK\\r"))
    }

    @Test func rejectsOtherHTTPVersions() {
        #expect(decode("HTTP/2.0 200 OK\r\n\r\n").error == .unsupportedVersion("HTTP/2.0"))
        #expect(decode("HTTP/0.9 200 OK\r\n\r\n").error == .unsupportedVersion("HTTP/0.9"))
    }

    @Test func rejectsMalformedHeaderLines() {
        let cases: [(String, HTTPClientError)] = [
            ("No-Colon", .malformedHeader(line: "No-Colon", reason: "it has no colon")),
            ("Space : before", .malformedHeader(line: "Space : before", reason: "its name is not a token")),
            (": empty name", .malformedHeader(line: ": empty name", reason: "its name is not a token")),
            ("X: a\u{0}b", .malformedHeader(line: "X: a\\x00b", reason: "its value contains a control byte")),
            ("X: a\rb", .malformedHeader(line: "X: a\\rb", reason: "its value contains a control byte")),
            (" folded", .obsoleteLineFolding(line: " folded")),
            ("\tfolded", .obsoleteLineFolding(line: "\\tfolded")),
        ]
        for (line, error) in cases {
            #expect(decode("HTTP/1.1 200 OK\r\nA: b\r\n\(line)\r\n\r\n").error == error, "\(line)")
        }
    }

    @Test func rejectsInvalidContentLengths() {
        for value in ["abc", "-1", "1.5", "+5", "0x10", "99999999999999999999999", "5 5"] {
            let run = decode("HTTP/1.1 200 OK\r\nContent-Length: \(value)\r\n\r\n")
            #expect(run.error == .invalidContentLength(value), "\(value)")
        }
        #expect(decode("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n").error == .invalidContentLength(""))
    }

    @Test func rejectsDifferingContentLengths() {
        #expect(decode("HTTP/1.1 200 OK\r\nContent-Length: 12, 13\r\n\r\n").error == .invalidContentLength("12, 13"))
        let twoFields = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
        #expect(decode(twoFields).error == .invalidContentLength("1, 2"))
    }

    @Test func rejectsTransferEncodingWithContentLength() {
        let wire = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        #expect(decode(wire).error == .conflictingFraming)
    }

    @Test func rejectsTransferCodingsOtherThanChunked() {
        #expect(
            decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n").error == .unsupportedTransferEncoding("gzip"))
        let layered = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(decode(layered).error == .unsupportedTransferEncoding("gzip, chunked"))
    }

    @Test func reportsMalformedChunksInsideAResponse() {
        let run = decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        #expect(run.outputs == [head(200, "OK", ["Transfer-Encoding": "chunked"])])
        #expect(run.error == .malformedChunk(reason: "the chunk-size line 'zz' at byte 0 has no hex size"))
    }

    // MARK: - Limits

    @Test func rejectsAOneMegabyteHeaderLineEarly() throws {
        var decoder = HTTPResponseDecoder()
        var buffer = ByteBuffer(string: "HTTP/1.1 200 OK\r\nX-Big: ")
        var fed = 0
        let kilobyte = [UInt8](repeating: UInt8(ascii: "a"), count: 1024)
        do {
            while fed < 1 << 20 {
                buffer.append(contentsOf: kilobyte)
                fed += kilobyte.count
                #expect(try decoder.decode(&buffer) == nil)
            }
            Issue.record("a 1 MB header line was accepted")
        } catch {
            #expect(error == .headLineTooLong(limit: 8192))
            // Rejected within one read of passing the 8 KiB line limit, not after buffering the megabyte.
            #expect(fed <= 9 * 1024)
        }
    }

    @Test func rejectsAnEndlessStatusLineEarly() {
        let run = decode("HTTP/1.1 200 " + String(repeating: "x", count: 20_000))
        #expect(run.error == .headLineTooLong(limit: 8192))
    }

    @Test func rejectsTooManyHeadersAndTooLargeHeads() {
        let hundredAndOne = (0...100).map { "H\($0): v\r\n" }.joined()
        #expect(decode("HTTP/1.1 200 OK\r\n\(hundredAndOne)\r\n").error == .tooManyHeaders(limit: 100))
        let large = (0..<99).map { "H\($0): " + String(repeating: "v", count: 700) + "\r\n" }.joined()
        #expect(decode("HTTP/1.1 200 OK\r\n\(large)\r\n").error == .headTooLarge(limit: 65536))
    }
}

/// A SUBSCRIBE response as the Mesos agent (libprocess) sends it: chunked RecordIO, one event per chunk,
/// followed here by a chunk holding two records and a record cut across two chunks, which a reader must
/// also handle.
private enum MesosSubscribeRecording {
    static let subscribed =
        #"{"type":"SUBSCRIBED","subscribed":{"executor_info":{"executor_id":{"value":"exec-1"},"framework_id":"#
        + #"{"value":"fw-1"},"command":{"value":"./executor.sh"}},"framework_info":{"user":"root","name":"marathon","#
        + #""id":{"value":"fw-1"}},"agent_info":{"hostname":"node-a","id":{"value":"agent-1"}},"#
        + #""container_id":{"value":"0f2c1c8e-5a3b-4c0e-9d4e-2b9f7a1c3d5e"}}}"#
    static let launch =
        #"{"type":"LAUNCH","launch":{"task":{"name":"web","task_id":{"value":"task-1"},"agent_id":"#
        + #"{"value":"agent-1"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}}],"#
        + #""labels":{"labels":[{"key":"ServiceName","value":"web"}]}}}}"#
    static let acknowledged =
        #"{"type":"ACKNOWLEDGED","acknowledged":{"task_id":{"value":"task-1"},"uuid":"hP0vJ1b2QyOkz1Xb7n3c5A=="}}"#
    static let heartbeat = #"{"type":"HEARTBEAT"}"#

    static let events = [subscribed, launch, acknowledged, heartbeat, heartbeat, acknowledged]

    static var wire: [UInt8] {
        var wire = bytes(
            "HTTP/1.1 200 OK\r\nDate: Tue, 04 Jun 2024 10:00:00 GMT\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n")
        func chunk(_ data: [UInt8]) {
            wire += bytes(String(data.count, radix: 16) + "\r\n") + data + bytes("\r\n")
        }
        for event in [subscribed, launch, acknowledged] {
            chunk(RecordIO.encode(bytes(event)))
        }
        chunk(RecordIO.encode(bytes(heartbeat)) + RecordIO.encode(bytes(heartbeat)))
        let split = RecordIO.encode(bytes(acknowledged))
        chunk(Array(split.prefix(10)))
        chunk(Array(split.dropFirst(10)))
        return wire
    }
}
