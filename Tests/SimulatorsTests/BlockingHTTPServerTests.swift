import Glibc
import Simulators
import Testing

struct BlockingHTTPServerTests {
    @Test func answersWithContentLengthAndRecordsTheRequest() throws {
        try withServer(echoHandler) { server in
            let client = try TestHTTPClient(server)
            try client.send(TestHTTPClient.request("/hello?x=1", headers: ["X-Test: yes"]))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.reason == "OK")
            #expect(response.header("Content-Length") == "11")
            #expect(response.bodyString == "GET /hello ")
            let request = try #require(server.requests.first)
            #expect(request.target == "/hello?x=1")
            #expect(request.header("X-Test") == "yes")
            #expect(request.connectionID == 1)
            #expect(server.endpointString == "127.0.0.1:\(server.port)")
        }
    }

    @Test func parsesARequestSplitAcrossSeveralWrites() throws {
        try withServer(echoHandler) { server in
            let client = try TestHTTPClient(server)
            let text = "POST /split HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world"
            for piece in Array(text.utf8).randomPieces(seed: 7) {
                try client.send(piece)
                usleep(2_000)
            }
            #expect(try client.readResponse().bodyString == "POST /split hello world")
            #expect(server.requests.map(\.bodyString) == ["hello world"])
        }
    }

    @Test func parsesARequestSentByteByByte() throws {
        try withServer(echoHandler) { server in
            let client = try TestHTTPClient(server)
            try client.send(pieces: Array(TestHTTPClient.request("/bytes").utf8).map { [$0] })
            #expect(try client.readResponse().bodyString == "GET /bytes ")
        }
    }

    @Test func servesTwoRequestsOnOneKeepAliveConnection() throws {
        try withServer(echoHandler) { server in
            let client = try TestHTTPClient(server)
            try client.send(TestHTTPClient.request("/one"))
            #expect(try client.readResponse().bodyString == "GET /one ")
            try client.send(TestHTTPClient.request("/two"))
            #expect(try client.readResponse().bodyString == "GET /two ")
            #expect(server.requests.map(\.connectionID) == [1, 1])
            #expect(server.acceptedConnectionCount == 1)
        }
    }

    @Test func answersPipelinedRequestsInOrder() throws {
        try withServer(echoHandler) { server in
            let client = try TestHTTPClient(server)
            try client.send(TestHTTPClient.request("/a") + TestHTTPClient.request("/b"))
            #expect(try client.readResponse().bodyString == "GET /a ")
            #expect(try client.readResponse().bodyString == "GET /b ")
        }
    }

    @Test func receivesAChunkedRequestBody() throws {
        try withServer(echoHandler) { server in
            let client = try TestHTTPClient(server)
            try client.send(
                "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
            #expect(try client.readResponse().bodyString == "PUT /c abcde")
            #expect(try #require(server.requests.first).bodyWasChunked)
        }
    }

    @Test func leavesOutTheBodyForHeadButKeepsItsLength() throws {
        try withServer(echoHandler) { server in
            let client = try TestHTTPClient(server)
            try client.send(TestHTTPClient.request("/h", method: "HEAD"))
            let head = try client.readResponse(forHead: true)
            #expect(head.header("Content-Length") == "8")
            // Had the body been sent, it would now be read as the start of the next response.
            try client.send(TestHTTPClient.request("/next"))
            #expect(try client.readResponse().bodyString == "GET /next ")
        }
    }

    @Test func closesAfterAnsweringAClientThatAskedToClose() throws {
        try withServer(echoHandler) { server in
            let client = try TestHTTPClient(server)
            try client.send(TestHTTPClient.request("/bye", headers: ["Connection: close"]))
            let response = try client.readResponse()
            #expect(response.header("Connection") == "close")
            #expect(try client.readUntilClosed().isEmpty)
        }
    }

    @Test func answersUnparsableRequestsLikeGoAndCloses() throws {
        try withServer(echoHandler) { server in
            let client = try TestHTTPClient(server)
            try client.send("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n")
            let answer = String(decoding: try client.readUntilClosed(), as: UTF8.self)
            #expect(answer.hasPrefix("HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"))
            #expect(
                answer.hasSuffix(
                    "400 Bad Request: The HTTP/1.1 request starting at byte 0 of the connection has no Host header."))
            #expect(server.malformedRequests == [HTTPServerRequestParseError(.missingHost, offset: 0)])
            #expect(server.requestCount == 0)
        }
    }

    @Test func answersTheDefault404WithoutAHandler() throws {
        let server = try BlockingHTTPServer()
        server.start()
        defer { server.stop() }
        let client = try TestHTTPClient(server)
        try client.send(TestHTTPClient.request("/"))
        let response = try client.readResponse()
        #expect(response.status == 404)
        #expect(response.body.isEmpty)
    }

    @Test func ignoresASecondAnswerToTheSameRequest() throws {
        let second = Locked<Bool?>(nil)
        let server = try startedServer { _, responder in
            responder.respond(status: 201, body: "first")
            second.value = responder.respond(status: 500, body: "second")
        }
        defer { server.stop() }
        let client = try TestHTTPClient(server)
        try client.send(TestHTTPClient.request("/1"))
        #expect(try client.readResponse().bodyString == "first")
        try client.send(TestHTTPClient.request("/2"))
        #expect(try client.readResponse().status == 201)
        #expect(second.value == false)
    }

    @Test func answersLaterFromAnotherThreadAfterTheHandlerReturned() throws {
        let pending = Locked<HTTPResponder?>(nil)
        let server = try startedServer { _, responder in pending.value = responder }
        defer { server.stop() }
        let client = try TestHTTPClient(server)
        try client.send(TestHTTPClient.request("/later"))
        #expect(eventually { pending.value != nil })
        #expect(throws: TestClientError.timedOut(received: 0)) {
            try client.readResponse(timeout: .milliseconds(100))
        }
        let responder = try #require(pending.value)
        onAnotherThread { responder.respond(status: 200, body: "late") }
        #expect(try client.readResponse().bodyString == "late")
    }

    @Test func waitForRequestsReportsATimeout() throws {
        try withServer(echoHandler) { server in
            #expect(!server.waitForRequests(count: 1, timeout: .milliseconds(50)))
            let client = try TestHTTPClient(server)
            try client.send(TestHTTPClient.request("/"))
            #expect(server.waitForRequests(count: 1))
        }
    }

    @Test func stopsLoggingButKeepsCountingWhenAsked() throws {
        try withServer(echoHandler) { server in
            server.keepsRequestLog = false
            let client = try TestHTTPClient(server)
            try client.send(TestHTTPClient.request("/"))
            _ = try client.readResponse()
            #expect(server.requests.isEmpty)
            #expect(server.requestCount == 1)
        }
    }

    @Test func dropsNewConnectionsBeforeReadingWhenAsked() throws {
        try withServer(echoHandler) { server in
            server.dropsNewConnections = true
            let client = try TestHTTPClient(server)
            let outcome = Result { try client.readUntilClosed() }
            #expect(outcome.isEndOfStreamOrReset)
            #expect(server.acceptedConnectionCount == 1)
            #expect(server.requestCount == 0)
        }
    }

    @Test func closesConnectionsBeyondTheLimitOnAccept() throws {
        try withServer(echoHandler) { server in
            server.maxOpenConnections = 1
            let first = try TestHTTPClient(server)
            try first.send(TestHTTPClient.request("/first"))
            _ = try first.readResponse()
            let second = try TestHTTPClient(server)
            #expect(Result { try second.readUntilClosed() }.isEndOfStreamOrReset)
            try first.send(TestHTTPClient.request("/again"))
            #expect(try first.readResponse().bodyString == "GET /again ")
            #expect(server.acceptedConnectionCount == 2)
        }
    }

    @Test func forgetsConnectionsTheClientClosed() throws {
        try withServer(echoHandler) { server in
            do {
                let client = try TestHTTPClient(server)
                try client.send(TestHTTPClient.request("/"))
                _ = try client.readResponse()
                #expect(server.openConnectionCount == 1)
            }
            #expect(eventually { server.openConnectionCount == 0 })
        }
    }

    @Test func stopReleasesThePortAndClosesIdleConnections() throws {
        let server = try BlockingHTTPServer()
        server.handler = echoHandler
        server.start()
        let client = try TestHTTPClient(server)
        try client.send(TestHTTPClient.request("/"))
        _ = try client.readResponse()
        #expect(!canBind(port: server.port))
        server.stop()
        #expect(try client.readUntilClosed(timeout: .seconds(1)).isEmpty)
        #expect(server.openConnectionCount == 0)
        #expect(canBind(port: server.port))
        #expect(throws: TestClientError.connectFailed(errno: ECONNREFUSED)) { try TestHTTPClient(port: server.port) }
        server.stop()
    }

    @Test func stopEndsAStalledExchange() throws {
        let server = try BlockingHTTPServer()
        server.handler = { _, responder in responder.stall() }
        server.start()
        let client = try TestHTTPClient(server)
        try client.send(TestHTTPClient.request("/stall"))
        #expect(server.waitForRequests(count: 1))
        #expect(throws: TestClientError.timedOut(received: 0)) { try client.readResponse(timeout: .milliseconds(300)) }
        server.stop()
        #expect(try client.readUntilClosed(timeout: .seconds(1)).isEmpty)
    }

    @Test func stopsFromInsideAHandler() throws {
        let server = try BlockingHTTPServer()
        let shared = Locked<BlockingHTTPServer?>(server)
        server.handler = { _, responder in
            responder.respond(status: 200, body: "bye")
            shared.value?.stop()
        }
        server.start()
        let client = try TestHTTPClient(server)
        try client.send(TestHTTPClient.request("/stop"))
        #expect(try client.readResponse().bodyString == "bye")
        #expect(try client.readUntilClosed().isEmpty)
        #expect(eventually { canBind(port: server.port) })
        shared.value = nil
    }

    @Test func servesOverAUnixSocketAndRemovesItOnStop() throws {
        let path = makeTemporaryDirectory() + "/sidecar.sock"
        let server = try BlockingHTTPServer(unixPath: path)
        server.handler = echoHandler
        server.start()
        #expect(server.endpointString == "unix://\(path)")
        #expect(server.port == 0)
        let client = try TestHTTPClient(unixPath: path)
        try client.send(TestHTTPClient.request("/_ping"))
        #expect(try client.readResponse().bodyString == "GET /_ping ")
        server.stop()
        #expect(!fileExists(path))
        rmdir(String(path.dropLast("/sidecar.sock".count)))
    }

    @Test func reportsABindFailureAsASentence() {
        #expect(throws: SimulatorSocketError.self) { try BlockingHTTPServer(unixPath: "/nonexistent-dir/x.sock") }
        do {
            _ = try BlockingHTTPServer(unixPath: "/nonexistent-dir/x.sock")
        } catch {
            #expect(
                error.description
                    == "The simulator's bind on /nonexistent-dir/x.sock failed: No such file or directory (errno 2).")
        }
    }
}

extension Result where Success == [UInt8], Failure == any Error {
    /// True when the server ended the connection (FIN with no bytes, or a reset).
    var isEndOfStreamOrReset: Bool {
        switch self {
        case .success(let bytes): bytes.isEmpty
        case .failure(let error): (error as? TestClientError) == .reset
        }
    }
}
