import Testing

@testable import EventLoop

struct HTTPResponseHeadTests {
    private func parse(_ line: String) throws(HTTPClientError) -> HTTPResponseHead {
        try HTTPResponseHead.parsingStatusLine(ArraySlice(line.utf8))
    }

    @Test func parsesVersionStatusAndReason() throws {
        let head = try parse("HTTP/1.0 404 Not Found")
        #expect(head == HTTPResponseHead(versionMajor: 1, versionMinor: 0, status: 404, reason: "Not Found"))
        #expect(try parse("HTTP/1.1 202 Accepted").reason == "Accepted")
        #expect(try parse("HTTP/1.1 599 Odd\tbut legal").reason == "Odd\tbut legal")
    }

    @Test func acceptsAnEmptyReasonWithOrWithoutItsSpace() throws {
        #expect(try parse("HTTP/1.1 200 ") == HTTPResponseHead(status: 200, reason: ""))
        #expect(try parse("HTTP/1.1 200") == HTTPResponseHead(status: 200, reason: ""))
    }

    @Test func decodesAReasonThatIsNotASCIIWithoutFailing() throws {
        let line = ArraySlice(bytes("HTTP/1.1 200 ") + [0xC3, 0xA9, 0xFF])
        #expect(try HTTPResponseHead.parsingStatusLine(line).reason == "é\u{FFFD}")
    }

    @Test func rejectsStatusCodesOutsideTheValidRange() throws {
        #expect(throws: HTTPClientError.malformedStatusLine("HTTP/1.1 099 X")) { try parse("HTTP/1.1 099 X") }
        #expect(throws: HTTPClientError.malformedStatusLine("HTTP/1.1 600 X")) { try parse("HTTP/1.1 600 X") }
        #expect(try parse("HTTP/1.1 100 Continue").status == 100)
        #expect(try parse("HTTP/1.1 599 X").status == 599)
    }

    @Test func keepsHTTP11ConnectionsAliveUnlessClosed() {
        #expect(HTTPResponseHead(status: 200).isKeepAlive)
        #expect(HTTPResponseHead(status: 200, headers: ["Connection": "keep-alive"]).isKeepAlive)
        #expect(!HTTPResponseHead(status: 200, headers: ["Connection": "close"]).isKeepAlive)
        #expect(!HTTPResponseHead(status: 200, headers: ["connection": "Upgrade, CLOSE"]).isKeepAlive)
        #expect(HTTPResponseHead(versionMinor: 2, status: 200).isKeepAlive)
    }

    @Test func keepsHTTP10ConnectionsAliveOnlyWhenAsked() {
        #expect(!HTTPResponseHead(versionMinor: 0, status: 200).isKeepAlive)
        #expect(HTTPResponseHead(versionMinor: 0, status: 200, headers: ["Connection": "Keep-Alive"]).isKeepAlive)
        let contradictory: HTTPHeaders = ["Connection": "keep-alive", "Connection": "close"]
        #expect(!HTTPResponseHead(versionMinor: 0, status: 200, headers: contradictory).isKeepAlive)
    }
}
