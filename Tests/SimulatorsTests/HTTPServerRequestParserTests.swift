import EventLoop
import Simulators
import Testing

/// Feeds `pieces` one at a time, collecting every request and the first error.
private func parse(
    _ pieces: [[UInt8]], limits: HTTPServerRequestParser.Limits = .init()
) -> (requests: [HTTPServerRequest], error: HTTPServerRequestParseError?, leftover: [UInt8]) {
    var parser = HTTPServerRequestParser(limits: limits)
    var buffer = ByteBuffer()
    var requests: [HTTPServerRequest] = []
    for piece in pieces {
        buffer.append(contentsOf: piece)
        do {
            while let request = try parser.decode(&buffer) { requests.append(request) }
        } catch {
            return (requests, error, buffer.readableArray)
        }
    }
    return (requests, nil, buffer.readableArray)
}

/// The same input fed whole, byte by byte, and in several seeded random splits.
private func everySplit(of text: String) -> [[[UInt8]]] {
    let bytes = Array(text.utf8)
    return [[bytes], bytes.map { [$0] }] + (1...5).map { bytes.randomPieces(seed: $0) }
}

private let chunkedPost =
    "POST /upload?x=1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    + "5;name=value\r\nhello\r\n0007\r\n, world\r\n0\r\nChecksum: 42\r\n\r\n"

struct HTTPServerRequestParserTests {
    @Test func parsesARequestLineAndHeadersInOrder() throws {
        let result = parse([Array("GET /api/state.json?a=b HTTP/1.1\r\nHost: x:7777\r\nAccept:  */* \r\n\r\n".utf8)])
        let request = try #require(result.requests.first)
        #expect(result.error == nil)
        #expect(request.method == "GET")
        #expect(request.target == "/api/state.json?a=b")
        #expect(request.path == "/api/state.json")
        #expect(request.query == "a=b")
        #expect(request.version == "HTTP/1.1")
        #expect(request.headers == [.init(name: "Host", value: "x:7777"), .init(name: "Accept", value: "*/*")])
        #expect(request.header("accept") == "*/*")
        #expect(request.body.isEmpty)
    }

    @Test func readsAContentLengthBody() throws {
        let result = parse([Array("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET".utf8)])
        let request = try #require(result.requests.first)
        #expect(request.bodyString == "hello")
        #expect(!request.bodyWasChunked)
        #expect(result.leftover == Array("GET".utf8))
    }

    @Test func decodesAChunkedBodyWithExtensionsAndTrailers() throws {
        let request = try #require(parse([Array(chunkedPost.utf8)]).requests.first)
        #expect(request.bodyString == "hello, world")
        #expect(request.bodyWasChunked)
        #expect(request.trailers == [.init(name: "Checksum", value: "42")])
    }

    @Test func yieldsPipelinedRequestsOneAtATime() {
        let text = TestHTTPClient.request("/one") + chunkedPost + TestHTTPClient.request("/three", method: "HEAD")
        let result = parse([Array(text.utf8)])
        #expect(result.requests.map(\.target) == ["/one", "/upload?x=1", "/three"])
        #expect(result.leftover.isEmpty)
    }

    @Test(arguments: [
        chunkedPost,
        TestHTTPClient.request("/a") + "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz",
        "GET http://node-a:7777/state.json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: [::1]:80\r\nX-Obs: caf\u{E9}\r\n\r\n",
        "GET /_ping HTTP/1.1\r\nHost: \r\n\r\n",
    ])
    func givesIdenticalResultsWholeByteByByteAndInRandomSplits(text: String) {
        let splits = everySplit(of: text)
        let expected = parse(splits[0])
        #expect(!expected.requests.isEmpty)
        #expect(expected.error == nil)
        for pieces in splits.dropFirst() {
            let result = parse(pieces)
            #expect(result.requests == expected.requests)
            #expect(result.error == nil)
            #expect(result.leftover.isEmpty)
        }
    }

    @Test func acceptsHTTP10WithoutHostAndAbsoluteFormTargets() throws {
        let request = try #require(parse([Array("GET http://h:1/p?q HTTP/1.0\r\n\r\n".utf8)]).requests.first)
        #expect(request.path == "/p")
        #expect(request.query == "q")
        #expect(!request.keepsConnectionAlive)
    }

    @Test func decidesKeepAliveFromVersionAndConnectionHeader() {
        func keepsAlive(_ head: String) -> Bool? {
            parse([Array((head + "\r\n").utf8)]).requests.first?.keepsConnectionAlive
        }
        #expect(keepsAlive("GET / HTTP/1.1\r\nHost: a\r\n") == true)
        #expect(keepsAlive("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, Close\r\n") == false)
        #expect(keepsAlive("GET / HTTP/1.0\r\n") == false)
        #expect(keepsAlive("GET / HTTP/1.0\r\nConnection: keep-alive\r\n") == true)
    }

    struct Malformed: Sendable, CustomStringConvertible {
        let text: String
        let kind: HTTPServerRequestParseError.Kind
        let offset: Int
        var limits = HTTPServerRequestParser.Limits(
            maxLineLength: 64, maxHeaderCount: 4, maxHeaderBytes: 120, maxBodyBytes: 10)
        var description: String { "\(kind)" }
    }

    static let malformed: [Malformed] = [
        Malformed(
            text: "GET /" + String(repeating: "a", count: 70) + " HTTP/1.1\r\n", kind: .lineTooLong(limit: 64),
            offset: 0),
        Malformed(text: "GET / HTTP/1.1\nHost: a\r\n\r\n", kind: .bareLineFeed, offset: 0),
        Malformed(text: TestHTTPClient.request("/") + "\n", kind: .bareLineFeed, offset: 35),
        Malformed(text: "GET /\r\n\r\n", kind: .malformedRequestLine, offset: 0),
        Malformed(text: "GET  / HTTP/1.1\r\n\r\n", kind: .malformedRequestLine, offset: 0),
        Malformed(text: "GET / HTTQ/1.1\r\n\r\n", kind: .malformedRequestLine, offset: 0),
        Malformed(text: "\r\n", kind: .malformedRequestLine, offset: 0),
        Malformed(text: "G(T / HTTP/1.1\r\n\r\n", kind: .invalidMethod, offset: 0),
        Malformed(text: "GET state.json HTTP/1.1\r\n\r\n", kind: .invalidTarget, offset: 0),
        Malformed(text: "GET /\u{7F} HTTP/1.1\r\n\r\n", kind: .invalidTarget, offset: 0),
        Malformed(text: "GET / HTTP/2.0\r\n\r\n", kind: .unsupportedVersion("HTTP/2.0"), offset: 0),
        Malformed(text: "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", kind: .obsoleteLineFolding, offset: 25),
        Malformed(text: "GET / HTTP/1.1\r\nHost a\r\n\r\n", kind: .malformedHeader, offset: 16),
        Malformed(text: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", kind: .malformedHeader, offset: 16),
        Malformed(text: "GET / HTTP/1.1\r\nHost: a\u{1}b\r\n\r\n", kind: .invalidHeaderValue(name: "Host"), offset: 16),
        Malformed(
            text: "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", kind: .tooManyHeaders(limit: 4),
            offset: 43),
        Malformed(
            text:
                "GET / HTTP/1.1\r\nHost: a\r\nA: \(String(repeating: "x", count: 60))\r\nB: \(String(repeating: "y", count: 60))\r\n\r\n",
            kind: .headersTooLarge(limit: 120), offset: 90),
        Malformed(text: "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", kind: .missingHost, offset: 0),
        Malformed(text: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", kind: .duplicateHost, offset: 0),
        Malformed(
            text: "GET / HTTP/1.1\r\nHost: /var/run/docker.sock\r\n\r\n", kind: .invalidHost("/var/run/docker.sock"),
            offset: 0),
        Malformed(
            text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", kind: .invalidContentLength("-1"),
            offset: 0),
        Malformed(
            text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", kind: .invalidContentLength("1 2"),
            offset: 0),
        Malformed(
            text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            kind: .invalidContentLength("1', '2"), offset: 0),
        Malformed(
            text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            kind: .contentLengthWithTransferEncoding, offset: 0),
        Malformed(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            kind: .unsupportedTransferEncoding("gzip, chunked"), offset: 0),
        Malformed(
            text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", kind: .bodyTooLarge(limit: 10), offset: 48
        ),
        Malformed(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\n",
            kind: .bodyTooLarge(limit: 10), offset: 67),
        Malformed(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\n",
            kind: .bodyTooLarge(limit: 10), offset: 56),
        Malformed(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", kind: .malformedChunkSize,
            offset: 56),
        Malformed(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", kind: .malformedChunkSize,
            offset: 56),
        Malformed(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
            kind: .missingChunkTerminator, offset: 61),
    ]

    @Test(arguments: malformed)
    func rejectsEachKindOfMalformedInputWithItsOwnErrorInEverySplit(_ testCase: Malformed) {
        for pieces in everySplit(of: testCase.text) {
            let result = parse(pieces, limits: testCase.limits)
            #expect(result.error == HTTPServerRequestParseError(testCase.kind, offset: testCase.offset))
        }
    }

    @Test func keepsThrowingTheSameErrorOnceFailed() {
        var parser = HTTPServerRequestParser()
        var buffer = ByteBuffer(string: "BAD\r\n")
        #expect(throws: HTTPServerRequestParseError(.malformedRequestLine, offset: 0)) { try parser.decode(&buffer) }
        buffer.append(TestHTTPClient.request("/"))
        #expect(throws: HTTPServerRequestParseError(.malformedRequestLine, offset: 0)) { try parser.decode(&buffer) }
    }

    @Test func countsErrorOffsetsFromTheStartOfTheConnection() {
        let text = TestHTTPClient.request("/first") + "GET / HTTP/1.1\r\n\r\n"
        let result = parse([Array(text.utf8)])
        #expect(result.requests.count == 1)
        #expect(result.error == HTTPServerRequestParseError(.missingHost, offset: 40))
    }

    @Test func describesErrorsAsSentencesWithTheOffsetAndStatus() {
        let error = HTTPServerRequestParseError(.invalidContentLength("x"), offset: 17)
        #expect(
            error.description == "The request starting at byte 17 of the connection has an invalid Content-Length 'x'.")
        #expect(HTTPServerRequestParseError(.lineTooLong(limit: 8), offset: 0).statusCode == 431)
        #expect(HTTPServerRequestParseError(.unsupportedVersion("HTTP/2.0"), offset: 0).statusCode == 505)
        #expect(HTTPServerRequestParseError(.unsupportedTransferEncoding("gzip"), offset: 0).statusCode == 501)
        #expect(HTTPServerRequestParseError(.bodyTooLarge(limit: 1), offset: 0).statusCode == 413)
        #expect(HTTPServerRequestParseError(.missingHost, offset: 0).statusCode == 400)
    }

    @Test func acceptsLinesAndBodiesExactlyAtTheLimits() throws {
        let limits = HTTPServerRequestParser.Limits(
            maxLineLength: 20, maxHeaderCount: 1, maxHeaderBytes: 22, maxBodyBytes: 4)
        let text = "PUT /123456 HTTP/1.1\r\nHost: 12345678901234\r\nContent-Length: 4\r\n\r\nbody"
        let result = parse([Array(text.utf8)], limits: limits)
        // Two fields exceed maxHeaderCount 1, so raise it and check the rest is exactly at its limits.
        #expect(result.error == HTTPServerRequestParseError(.tooManyHeaders(limit: 1), offset: 44))
        var roomier = limits
        roomier.maxHeaderCount = 2
        roomier.maxHeaderBytes = 22 + 19
        let accepted = parse([Array(text.utf8)], limits: roomier)
        #expect(accepted.error == nil)
        #expect(try #require(accepted.requests.first).bodyString == "body")
    }
}
