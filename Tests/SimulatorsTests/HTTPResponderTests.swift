import Simulators
import Testing

struct HTTPResponderTests {
    @Test func writesRawBytesVerbatimThenClosesWithoutMore() throws {
        let raw = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"
        let server = try startedServer { _, responder in
            responder.writeRaw(raw)
            responder.closeWithoutAnswer()
        }
        defer { server.stop() }
        let client = try TestHTTPClient(server)
        try client.send(TestHTTPClient.request("/"))
        #expect(try client.readUntilClosed() == Array(raw.utf8))
    }

    @Test func keepsTheConnectionAfterAFinishedRawAnswer() throws {
        let server = try startedServer { request, responder in
            responder.writeRaw("HTTP/1.1 200 OK\r\n")
            responder.writeRaw("Content-Length: \(request.path.utf8.count)\r\n\r\n\(request.path)")
            responder.finishRaw()
        }
        defer { server.stop() }
        let client = try TestHTTPClient(server)
        try client.send(TestHTTPClient.request("/one"))
        #expect(try client.readResponse().bodyString == "/one")
        try client.send(TestHTTPClient.request("/two"))
        #expect(try client.readResponse().bodyString == "/two")
    }

    @Test func canCorruptAChunkedStreamWithRawBytes() throws {
        let server = try startedServer { _, responder in
            let stream = responder.startChunkedStream()
            stream.send("ok")
            responder.writeRaw("zz\r\n")
            responder.closeWithoutAnswer()
        }
        defer { server.stop() }
        let client = try TestHTTPClient(server)
        try client.send(TestHTTPClient.request("/"))
        let received = String(decoding: try client.readUntilClosed(), as: UTF8.self)
        #expect(received.hasSuffix("\r\n\r\n2\r\nok\r\nzz\r\n"))
    }

    @Test func closesWithoutAnswerSendingNothing() throws {
        let server = try startedServer { _, responder in responder.closeWithoutAnswer() }
        defer { server.stop() }
        let client = try TestHTTPClient(server)
        try client.send(TestHTTPClient.request("/"))
        #expect(try client.readUntilClosed().isEmpty)
    }

    @Test func stallNeverAnswersAndIgnoresLaterAnswers() throws {
        let stalled = Locked<HTTPResponder?>(nil)
        let server = try startedServer { _, responder in
            responder.stall()
            stalled.value = responder
        }
        defer { server.stop() }
        let client = try TestHTTPClient(server)
        try client.send(TestHTTPClient.request("/"))
        #expect(eventually { stalled.value != nil })
        #expect(try #require(stalled.value).respond(status: 200) == false)
        #expect(throws: TestClientError.timedOut(received: 0)) {
            try client.readResponse(timeout: .milliseconds(200))
        }
    }

    @Test func addsNoLengthOrBodyForBodilessStatuses() throws {
        let server = try startedServer { _, responder in responder.respond(status: 204, body: "dropped") }
        defer { server.stop() }
        let client = try TestHTTPClient(server)
        try client.send(TestHTTPClient.request("/"))
        let response = try client.readResponse()
        #expect(response.status == 204)
        #expect(response.header("Content-Length") == nil)
        try client.send(TestHTTPClient.request("/"))
        #expect(try client.readResponse().status == 204)
    }

    @Test func keepsAContentLengthTheHandlerChose() throws {
        let server = try startedServer { _, responder in
            responder.respond(status: 200, reason: "Fine", headers: [("Content-Length", "3")], body: "abc")
        }
        defer { server.stop() }
        let client = try TestHTTPClient(server)
        try client.send(TestHTTPClient.request("/"))
        let response = try client.readResponse()
        #expect(response.reason == "Fine")
        #expect(response.headers.filter { $0.name == "Content-Length" }.count == 1)
    }

    @Test func closesAfterAnAnswerThatSaysConnectionClose() throws {
        let server = try startedServer { _, responder in
            responder.respond(status: 200, headers: [("Connection", "close")], body: "x")
        }
        defer { server.stop() }
        let client = try TestHTTPClient(server)
        try client.send(TestHTTPClient.request("/"))
        #expect(try client.readResponse().bodyString == "x")
        #expect(try client.readUntilClosed().isEmpty)
    }

    @Test func answersHTTP10ClientsAndCloses() throws {
        try withServer(echoHandler) { server in
            let client = try TestHTTPClient(server)
            try client.send("GET /old HTTP/1.0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.bodyString == "GET /old ")
            #expect(response.header("Connection") == "close")
        }
    }
}
