import EventLoop
import Testing

struct HTTPClientErrorTests {
    private static let everyCase: [HTTPClientError] = [
        .invalidRequest(reason: "the target '' is empty or has spaces or control bytes"),
        .malformedStatusLine("HTTP/1.1 2x0"),
        .unsupportedVersion("HTTP/2.0"),
        .malformedHeader(line: "No-Colon", reason: "it has no colon"),
        .obsoleteLineFolding(line: " folded"),
        .headLineTooLong(limit: 8192),
        .headTooLarge(limit: 65536),
        .tooManyHeaders(limit: 100),
        .invalidContentLength("12, 13"),
        .unsupportedTransferEncoding("gzip"),
        .conflictingFraming,
        .malformedChunk(reason: "the chunk-size line 'zz' at byte 7 has no hex size"),
        .chunkSizeLineTooLong(limit: 1024),
        .bodyTooLarge(limit: 1 << 20),
        .connectionClosedEarly(during: "the chunked body"),
        .connectionClosedBeforeResponse,
        .connectFailed(
            endpoint: "unix:///var/run/docker.sock", reason: "connect failed: No such file or directory (errno 2)"),
        .connectionFailed(reason: "read failed: Connection reset by peer (errno 104)"),
        .timedOut(after: .seconds(5)),
        .unexpectedStatus(404, body: #"{"message":"No such container: nope"}"#),
        .cancelled,
    ]

    @Test func describesEveryCaseAsOneSentence() {
        for error in Self.everyCase {
            let text = error.description
            #expect(text.first?.isUppercase == true, "\(text)")
            #expect(text.hasSuffix("."), "\(text)")
            #expect(!text.contains("\n"), "\(text)")
        }
        #expect(Set(Self.everyCase.map(\.description)).count == Self.everyCase.count)
    }

    @Test func quotesTheContextOfEachFailure() {
        #expect(
            HTTPClientError.malformedStatusLine("HTTP/1.1 2x0").description
                == "The HTTP response's status line is malformed: 'HTTP/1.1 2x0'.")
        #expect(
            HTTPClientError.malformedChunk(reason: "the chunk-size line 'zz' at byte 7 has no hex size").description
                == "The HTTP response's chunked body is malformed: the chunk-size line 'zz' at byte 7 has no hex size.")
        #expect(
            HTTPClientError.connectFailed(endpoint: "127.0.0.1:5051", reason: "connection refused").description
                == "Connecting to 127.0.0.1:5051 failed: connection refused.")
        #expect(
            HTTPClientError.timedOut(after: .milliseconds(1500)).description
                == "The HTTP exchange timed out after 1.5 seconds.")
        #expect(HTTPClientError.headLineTooLong(limit: 8192).description.contains("8192 bytes"))
    }

    @Test func truncatesAHugeUnexpectedBodyInItsDescription() {
        let error = HTTPClientError.unexpectedStatus(500, body: String(repeating: "e", count: 10_000))
        #expect(error.description.count < 600)
        #expect(error.description.hasPrefix("The HTTP response has unexpected status 500 with body 'eee"))
        #expect(error.description.hasSuffix("...'."))
    }
}
