import Dispatch
import Simulators
import Testing

/// Starts a chunked stream for every request and hands it to the test.
private func streamingServer(_ streams: Locked<[ChunkedStream]>, headers: [(String, String)] = [])
    -> BlockingHTTPServer.Handler
{
    { _, responder in
        let stream = responder.startChunkedStream(status: 200, headers: headers)
        streams.value.append(stream)
    }
}

struct ChunkedStreamTests {
    @Test func streamsChunksSentFromAnotherThreadUntilFinished() throws {
        let streams = Locked<[ChunkedStream]>([])
        try withServer(streamingServer(streams, headers: [("Content-Type", "application/json")])) { server in
            let client = try TestHTTPClient(server)
            try client.send(TestHTTPClient.request("/watch"))
            // The request is recorded just before the handler runs, so wait for the handler itself.
            #expect(eventually { !streams.value.isEmpty })
            let stream = try #require(streams.value.first)
            onAnotherThread { #expect(stream.send("first")) }
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            // The first chunk arrives while the stream is still open: it is streamed, not buffered.
            #expect(try client.readUntil("first\r\n") == Array((head + "5\r\nfirst\r\n").utf8))
            onAnotherThread {
                #expect(stream.send(Array(repeating: UInt8(ascii: "x"), count: 300)))
                #expect(stream.finish())
            }
            let rest = "12c\r\n" + String(repeating: "x", count: 300) + "\r\n0\r\n\r\n"
            #expect(try client.readUntil("0\r\n\r\n") == Array(rest.utf8))
            #expect(!stream.isOpen)
            // The connection is reused for the next exchange once the stream has finished.
            try client.send(TestHTTPClient.request("/again"))
            #expect(eventually { streams.value.count == 2 })
            streams.value[1].finish()
            #expect(try client.readResponse().wasChunked)
        }
    }

    @Test func keepsChunksWholeWhenSeveralThreadsSendAtOnce() throws {
        let streams = Locked<[ChunkedStream]>([])
        try withServer(streamingServer(streams)) { server in
            let client = try TestHTTPClient(server)
            try client.send(TestHTTPClient.request("/many"))
            // The request is recorded just before the handler runs, so wait for the handler itself.
            #expect(eventually { !streams.value.isEmpty })
            let stream = try #require(streams.value.first)
            onAnotherThread {
                DispatchQueue.concurrentPerform(iterations: 8) { index in
                    for _ in 0..<25 { stream.send("<\(index)>") }
                }
                stream.finish()
            }
            let body = try client.readResponse().bodyString
            #expect(body.count == 8 * 25 * 3)
            for index in 0..<8 { #expect(body.split(separator: ">").filter { $0 == "<\(index)" }.count == 25) }
        }
    }

    @Test func writesNothingForAnEmptySendSinceThatWouldEndTheBody() throws {
        let streams = Locked<[ChunkedStream]>([])
        try withServer(streamingServer(streams)) { server in
            let client = try TestHTTPClient(server)
            try client.send(TestHTTPClient.request("/"))
            // The request is recorded just before the handler runs, so wait for the handler itself.
            #expect(eventually { !streams.value.isEmpty })
            let stream = try #require(streams.value.first)
            #expect(stream.send([]))
            #expect(stream.isOpen)
            stream.send("a")
            stream.finish()
            #expect(try client.readResponse().bodyString == "a")
        }
    }

    @Test func doesNothingOnceFinished() throws {
        let streams = Locked<[ChunkedStream]>([])
        try withServer(streamingServer(streams)) { server in
            let client = try TestHTTPClient(server)
            try client.send(TestHTTPClient.request("/"))
            // The request is recorded just before the handler runs, so wait for the handler itself.
            #expect(eventually { !streams.value.isEmpty })
            let stream = try #require(streams.value.first)
            #expect(stream.finish())
            #expect(!stream.send("late"))
            #expect(!stream.finish())
            #expect(!stream.abort())
            #expect(try client.readResponse().body.isEmpty)
        }
    }

    @Test func abortResetsTheConnectionMidBody() throws {
        let streams = Locked<[ChunkedStream]>([])
        try withServer(streamingServer(streams)) { server in
            let client = try TestHTTPClient(server)
            try client.send(TestHTTPClient.request("/"))
            // The request is recorded just before the handler runs, so wait for the handler itself.
            #expect(eventually { !streams.value.isEmpty })
            let stream = try #require(streams.value.first)
            stream.send("partial")
            _ = try client.readUntil("partial\r\n")
            #expect(stream.abort())
            #expect(!stream.isOpen)
            #expect(throws: TestClientError.reset) { try client.readUntilClosed() }
            #expect(!stream.send("after"))
        }
    }

    @Test func stopEndsAnOpenStreamAndLaterSendsFail() throws {
        let streams = Locked<[ChunkedStream]>([])
        let server = try BlockingHTTPServer()
        server.handler = streamingServer(streams)
        server.start()
        let client = try TestHTTPClient(server)
        try client.send(TestHTTPClient.request("/"))
        #expect(eventually { !streams.value.isEmpty })
        let stream = try #require(streams.value.first)
        #expect(stream.isOpen)
        server.stop()
        #expect(!stream.isOpen)
        #expect(!stream.send("after stop"))
        let received = String(decoding: try client.readUntilClosed(), as: UTF8.self)
        #expect(received.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(!received.hasSuffix("0\r\n\r\n"))
    }
}
