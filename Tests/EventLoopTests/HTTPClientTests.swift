import Dispatch
import Glibc
import Testing

@testable import EventLoop

private let get = HTTPRequest(method: .get, target: "/state.json")

struct HTTPClientFramingTests {
    private func roundTrip(_ response: String, closeAfter: Bool = false) throws -> Result<HTTPResponse, HTTPClientError>
    {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send(response)
            if !closeAfter { peer.waitForClientClose() }
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        return perform(client, get)
    }

    @Test func readsAContentLengthBodyAndSendsAProperRequest() throws {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}")
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        let response = try perform(client, get).get()
        #expect(response.status == 200)
        #expect(response.head.headers["content-type"] == "application/json")
        #expect(response.bodyText == "{\"ok\":true}")
        #expect(server.requests.current.map(\.head) == ["GET /state.json HTTP/1.1\r\nHost: \(server.endpoint)\r\n\r\n"])
    }

    @Test func readsAChunkedBodyWithExtensionsAndTrailers() throws {
        let response = try roundTrip(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"
        ).get()
        #expect(response.bodyText == "hello, world")
    }

    @Test func readsABodyDelimitedByTheConnectionClosing() throws {
        let response = try roundTrip("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", closeAfter: true)
            .get()
        #expect(response.bodyText == "until the end")
        let old = try roundTrip("HTTP/1.0 200 OK\r\n\r\nhttp/1.0 body", closeAfter: true).get()
        #expect(old.bodyText == "http/1.0 body")
    }

    @Test func noContentAndNotModifiedHaveNoBodyAndKeepTheConnection() throws {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 204 No Content\r\nApi-Version: 1.41\r\n\r\n")
            peer.readRequest()
            peer.send("HTTP/1.1 304 Not Modified\r\n\r\n")
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        let first = try perform(client, HTTPRequest(method: .post, target: "/containers/x/start")).get()
        let second = try perform(client, get).get()
        #expect(first.status == 204 && first.body.isEmpty)
        #expect(second.status == 304 && second.body.isEmpty)
        #expect(server.accepted.current == 1)
    }

    @Test func headResponsesEndAfterTheHeadWhateverTheirContentLength() throws {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        let head = try perform(client, HTTPRequest(method: .head, target: "/_ping")).get()
        #expect(head.head.headers["content-length"] == "5")
        #expect(head.body.isEmpty)
        #expect(try perform(client, get).get().bodyText == "ok")
    }

    @Test func talksHTTPOverAUnixSocket() throws {
        let server = try ScriptedServer(unix: true) { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-unix")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        #expect(try perform(client, HTTPRequest(method: .get, target: "/_ping")).get().bodyText == "OK")
        #expect(server.requests.current.first?.head.contains("Host: localhost\r\n") == true)
    }
}

struct HTTPClientConnectionReuseTests {
    @Test func aKeepAliveConnectionServesConsecutiveRequests() throws {
        let server = try ScriptedServer { peer in
            for body in ["one", "two", "three"] {
                guard peer.readRequest() != nil else { return }
                peer.send("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            }
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-reuse")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        let bodies = try (0..<3).map { _ in try perform(client, get).get().bodyText }
        #expect(bodies == ["one", "two", "three"])
        #expect(server.accepted.current == 1)
        #expect(Set(server.requests.current.map(\.connection)) == [0])
        #expect(onLoop(loop) { client.connectionCount } == 1)
    }

    @Test func connectionCloseInTheResponseIsHonoured() throws {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi")
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-close")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        #expect(try perform(client, get).get().bodyText == "hi")
        #expect(try perform(client, get).get().bodyText == "hi")
        #expect(server.accepted.current == 2)
    }

    @Test func anIdleConnectionThePeerClosedIsNotReused() throws {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n\(peer.index)")
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-idle-close")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        #expect(try perform(client, get).get().bodyText == "0")
        #expect(eventually { onLoop(loop) { client.connectionCount } == 0 })
        #expect(try perform(client, get).get().bodyText == "1")
    }

    @Test func anUnusedIdleConnectionIsClosedAfterTheIdleTimeout() throws {
        let clientClosed = Locked(false)
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            peer.waitForClientClose()
            clientClosed.withValue { $0 = true }
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-idle-timeout")
        let client = HTTPClient(endpoint: server.endpoint, on: loop, idleTimeout: .milliseconds(50))
        defer { onLoop(loop) { client.close() } }
        #expect(try perform(client, get).get().bodyText == "ok")
        #expect(eventually { clientClosed.current })
        #expect(onLoop(loop) { client.connectionCount } == 0)
    }

    @Test func anIdempotentRequestLostToAStaleConnectionIsRetriedOnce() throws {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst")
            if peer.index == 0 {
                // The keep-alive race: the request arrives as the server gives up on the connection.
                peer.readRequest()
                return
            }
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-retry")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        #expect(try perform(client, get).get().bodyText == "first")
        #expect(try perform(client, get).get().bodyText == "first")
        #expect(server.accepted.current == 2)
    }

    @Test func aPostLostToAStaleConnectionIsNotRetried() throws {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            peer.readRequest()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-noretry")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        #expect(try perform(client, get).get().bodyText == "ok")
        let post = HTTPRequest(method: .post, target: "/containers/create", body: Array("{}".utf8))
        #expect(throws: HTTPClientError.connectionClosedBeforeResponse) { try perform(client, post).get() }
        #expect(server.accepted.current == 1)
    }
}

struct HTTPClientFailureTests {
    @Test func aStallingPeerTimesOutAndTheConnectionIsDropped() throws {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-stall")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        #expect(throws: HTTPClientError.timedOut(after: .milliseconds(300))) {
            try perform(client, get, timeout: .milliseconds(300)).get()
        }
        #expect(eventually { onLoop(loop) { client.connectionCount } == 0 })
    }

    @Test func aPeerClosingInTheMiddleOfABodyIsReportedAsClosedEarly() throws {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-early")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        guard case .failure(.connectionClosedEarly) = perform(client, get) else {
            Issue.record("expected connectionClosedEarly")
            return
        }
    }

    @Test func aPeerClosingBeforeAnyResponseIsReportedAsSuch() throws {
        let server = try ScriptedServer { peer in peer.readRequest() }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-noresponse")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        #expect(throws: HTTPClientError.connectionClosedBeforeResponse) { try perform(client, get).get() }
        #expect(server.accepted.current == 1)  // a fresh connection's failure is not retried
    }

    @Test func aResetConnectionIsReportedWithTheSystemError() throws {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
            usleep(50_000)
            peer.connection.reset()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-reset")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        let expected = SystemError(code: ECONNRESET, operation: "read").description
        #expect(throws: HTTPClientError.connectionFailed(reason: expected)) { try perform(client, get).get() }
    }

    @Test func aBodyOverTheLimitFailsWithoutCollectingTheRest() throws {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "x", count: 1000))
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-limit")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        #expect(throws: HTTPClientError.bodyTooLarge(limit: 100)) { try perform(client, get, maxBodyBytes: 100).get() }
        #expect(eventually { onLoop(loop) { client.connectionCount } == 0 })
    }

    @Test func aMalformedResponseFailsWithTheDecoderError() throws {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 2x0 OK\r\n\r\n")
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-malformed")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        #expect(throws: HTTPClientError.malformedStatusLine("HTTP/1.1 2x0 OK")) { try perform(client, get).get() }
    }

    @Test func aRefusedConnectionIsAConnectFailure() throws {
        let listener = try TestListener()
        let endpoint = listener.endpoint
        listener.close()
        let loop = EventLoop(label: "test.http-refused")
        let client = HTTPClient(endpoint: endpoint, on: loop)
        guard case .failure(.connectFailed(let name, let reason)) = perform(client, get) else {
            Issue.record("expected connectFailed")
            return
        }
        #expect(name == endpoint.description)
        #expect(reason.contains("Connection refused"))
    }

    @Test func anInvalidRequestFailsWithoutTouchingTheNetwork() throws {
        let loop = EventLoop(label: "test.http-invalid")
        let client = HTTPClient(endpoint: .tcp(host: "127.0.0.1", port: 9), on: loop)
        var headers = HTTPHeaders()
        headers.add("X-Bad", "a\r\nInjected: yes")
        guard case .failure(.invalidRequest) = perform(client, HTTPRequest(method: .get, target: "/", headers: headers))
        else {
            Issue.record("expected invalidRequest")
            return
        }
        #expect(onLoop(loop) { client.connectionCount } == 0)
    }
}

struct HTTPClientStreamTests {
    @Test func bodyPiecesArriveBeforeTheResponseEnds() throws {
        let firstPieceSeen = DispatchSemaphore(value: 0)
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n")
            // Only once the client has handed out "one" does the rest of the response exist at all.
            _ = firstPieceSeen.wait(timeout: .now() + 10)
            peer.send("3\r\ntwo\r\n0\r\n\r\n")
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-stream")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        let events = StreamEvents()
        _ = events.start(HTTPRequest(method: .post, target: "/api/v1/executor"), on: client) { piece in
            if piece == "one" { firstPieceSeen.signal() }
        }
        #expect(eventually { !events.ends.current.isEmpty })
        #expect(events.heads.current.map(\.status) == [200])
        #expect(events.pieces.current == ["one", "two"])
        #expect(events.endErrors == [nil])
    }

    @Test func cancellingANeverEndingStreamClosesItsConnection() throws {
        let clientClosed = Locked(false)
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\ntick\r\n")
            peer.waitForClientClose(timeout: 20)
            clientClosed.withValue { $0 = true }
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-cancel")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        let events = StreamEvents()
        // The head timeout must not cut a stream whose head has arrived.
        let task = events.start(
            HTTPRequest(method: .get, target: "/logs?follow=1"), on: client, headTimeout: .milliseconds(200))
        #expect(eventually { events.pieces.current == ["tick"] })
        usleep(400_000)
        #expect(events.ends.current.isEmpty)
        onLoop(loop) { task.cancel() }
        #expect(eventually { !events.ends.current.isEmpty })
        #expect(events.endErrors == [.cancelled])
        #expect(eventually { clientClosed.current })
        #expect(onLoop(loop) { client.connectionCount } == 0)
    }

    @Test func eachStreamGetsItsOwnConnectionBesideSimpleCalls() throws {
        let server = try ScriptedServer { peer in
            guard let head = peer.readRequest() else { return }
            if head.hasPrefix("GET /wait") {
                peer.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                peer.waitForClientClose()
            } else {
                peer.send("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfast")
                peer.waitForClientClose()
            }
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-dedicated")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        let events = StreamEvents()
        let task = events.start(HTTPRequest(method: .get, target: "/wait"), on: client)
        #expect(eventually { events.heads.current.count == 1 })
        #expect(try perform(client, get).get().bodyText == "fast")
        #expect(server.accepted.current == 2)
        onLoop(loop) { task.cancel() }
    }

    @Test func aStreamWhoseHeadNeverComesTimesOut() throws {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.http-stream-timeout")
        let client = HTTPClient(endpoint: server.endpoint, on: loop)
        defer { onLoop(loop) { client.close() } }
        let events = StreamEvents()
        _ = events.start(HTTPRequest(method: .get, target: "/events"), on: client, headTimeout: .milliseconds(200))
        #expect(eventually { !events.ends.current.isEmpty })
        #expect(events.endErrors == [.timedOut(after: .milliseconds(200))])
        #expect(events.heads.current.isEmpty)
    }
}
