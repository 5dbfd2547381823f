import EventLoop
import Testing

struct HTTPRequestTests {
    private func wire(_ request: HTTPRequest, host: String = "localhost") throws -> String {
        String(decoding: try request.serialized(host: host), as: UTF8.self)
    }

    @Test func serializesAGetWithHostFirstAndNoContentLength() throws {
        let request = HTTPRequest(method: .get, target: "/v1.41/_ping", headers: ["Accept": "*/*"])
        #expect(try wire(request, host: "docker") == "GET /v1.41/_ping HTTP/1.1\r\nHost: docker\r\nAccept: */*\r\n\r\n")
    }

    @Test func serializesABodyWithItsContentLengthAfterTheUsersHeaders() throws {
        let body = bytes(#"{"Image":"busybox"}"#)
        let request = HTTPRequest(
            method: .post,
            target: "/v1.41/containers/create?name=mesos-task-1",
            headers: ["Content-Type": "application/json", "X-Trace": "a", "x-trace": "b"],
            body: body
        )
        #expect(
            try wire(request)
                == "POST /v1.41/containers/create?name=mesos-task-1 HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nX-Trace: a\r\nx-trace: b\r\nContent-Length: 19\r\n\r\n"
                + #"{"Image":"busybox"}"#)
    }

    @Test func saysContentLengthZeroForAnEmptyOrAbsentBodyOfAPost() throws {
        let absent = HTTPRequest(method: .post, target: "/containers/x/start")
        #expect(try wire(absent) == "POST /containers/x/start HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n")
        let empty = HTTPRequest(method: .post, target: "/api/v1/executor", body: [])
        #expect(try wire(empty) == "POST /api/v1/executor HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n")
        let delete = HTTPRequest(method: .delete, target: "/containers/x?force=1")
        #expect(try wire(delete) == "DELETE /containers/x?force=1 HTTP/1.1\r\nHost: localhost\r\n\r\n")
    }

    @Test func letsAHostHeaderReplaceTheHostParameter() throws {
        let request = HTTPRequest(method: .get, target: "/", headers: ["host": "agent:5051"])
        #expect(try wire(request, host: "ignored") == "GET / HTTP/1.1\r\nhost: agent:5051\r\n\r\n")
    }

    @Test func appendsToExistingOutput() throws {
        var output = bytes("previous")
        try HTTPRequest(method: .head, target: "/_ping").serialize(into: &output, host: "h")
        #expect(output == bytes("previousHEAD /_ping HTTP/1.1\r\nHost: h\r\n\r\n"))
    }

    @Test func rejectsCRAndLFInHeaderValuesLeavingTheOutputUntouched() {
        var output = bytes("kept")
        let splitting = HTTPRequest(method: .get, target: "/", headers: ["X-Name": "a\r\nX-Injected: 1"])
        #expect(
            throws: HTTPClientError.invalidRequest(
                reason: "the value 'a\\r\\nX-Injected: 1' of header 'X-Name' contains CR, LF or a control byte")
        ) {
            try splitting.serialize(into: &output, host: "h")
        }
        #expect(output == bytes("kept"))
        #expect(throws: HTTPClientError.self) { try wire(HTTPRequest(method: .get, target: "/"), host: "h\nX: y") }
        #expect(throws: HTTPClientError.self) {
            try wire(HTTPRequest(method: .get, target: "/", headers: ["A": "\u{0}"]))
        }
    }

    @Test func acceptsTabsAndNonASCIIInHeaderValues() throws {
        let request = HTTPRequest(method: .get, target: "/", headers: ["X": "a\tb é"])
        #expect(try wire(request) == "GET / HTTP/1.1\r\nHost: localhost\r\nX: a\tb é\r\n\r\n")
    }

    @Test func rejectsHeaderNamesThatAreNotTokens() {
        for name in ["", "Bad Name", "Bad:Name", "Bad\r\nName", "Bäd"] {
            let request = HTTPRequest(method: .get, target: "/", headers: HTTPHeaders([(name, "v")]))
            #expect(throws: HTTPClientError.self, "\(name)") { try wire(request) }
        }
    }

    @Test func rejectsTargetsThatWouldBreakTheRequestLine() {
        for target in ["", "/a b", "/a\r\nHost: evil", "/\u{7F}", "/é"] {
            let request = HTTPRequest(method: .get, target: target)
            #expect(throws: HTTPClientError.self, "\(target)") { try wire(request) }
        }
        #expect(
            throws: HTTPClientError.invalidRequest(
                reason: "the target '/a b' is empty or has spaces or control bytes")
        ) {
            try wire(HTTPRequest(method: .get, target: "/a b"))
        }
    }

    @Test func rejectsFramingHeadersTheSerializerOwns() {
        let length = HTTPRequest(method: .post, target: "/", headers: ["content-length": "5"], body: [1])
        #expect(
            throws: HTTPClientError.invalidRequest(
                reason: "the 'content-length' header is set by the serializer from the body")
        ) {
            try wire(length)
        }
        let chunked = HTTPRequest(method: .post, target: "/", headers: ["Transfer-Encoding": "chunked"])
        #expect(throws: HTTPClientError.self) { try wire(chunked) }
    }

    @Test func producesWhatTheResponseSideParsesAsFields() throws {
        // The request's header block uses the same field syntax the decoder accepts: feed it back as a head.
        let request = HTTPRequest(method: .put, target: "/x", headers: ["A": "1", "B": "two words"], body: bytes("hi"))
        var wireBytes = try request.serialized(host: "h")
        wireBytes.replaceSubrange(0..<bytes("PUT /x HTTP/1.1").count, with: bytes("HTTP/1.1 200 OK"))
        var decoder = HTTPResponseDecoder()
        var buffer = ByteBuffer(wireBytes)
        let head = try decoder.decode(&buffer)
        #expect(
            head
                == .head(
                    HTTPResponseHead(
                        status: 200, reason: "OK",
                        headers: ["Host": "h", "A": "1", "B": "two words", "Content-Length": "2"])))
        #expect(try decoder.decode(&buffer) == .body(bytes("hi")))
    }
}
