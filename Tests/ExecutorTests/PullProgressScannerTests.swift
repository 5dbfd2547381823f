import EventLoop
import TestSupport
import Testing

@testable import Executor

struct PullProgressScannerTests {

    /// The recorded stream of a successful pull from the local registry.
    static let success = """
        {"status":"Pulling from test/busybox","id":"1"}
        {"status":"Pulling fs layer","progressDetail":{},"id":"2527ac95e228"}
        {"status":"Downloading","progressDetail":{"current":36445,"total":1069292},"progress":"[=\\u003e ]  36.45kB/1.069MB","id":"2527ac95e228"}
        {"status":"Download complete","progressDetail":{},"id":"2527ac95e228"}
        {"status":"Pull complete","progressDetail":{},"id":"2527ac95e228"}
        {"status":"Digest: sha256:92a7c0e0f1d2b3a4958677869fa0b1c2d3e4f5061728394a5b6c7d8e9f0a1b2c"}
        {"status":"Status: Downloaded newer image for 127.0.0.1:5000/test/busybox:1"}

        """

    /// The recorded stream of a pull whose blob is missing: 200, then an error line.
    static let failure = """
        {"status":"Pulling from test/busybox","id":"1"}
        {"status":"Pulling fs layer","progressDetail":{},"id":"2527ac95e228"}
        {"status":"Downloading","progressDetail":{},"id":"2527ac95e228"}
        {"errorDetail":{"message":"unknown blob"},"error":"unknown blob"}

        """

    private struct Outcome: Equatable {
        var error: DockerError?
        var lastStatus: String?
    }

    private func scan(_ pieces: [[UInt8]]) -> Outcome {
        var scanner = PullProgressScanner()
        do {
            for piece in pieces { try scanner.feed(piece, image: "img") }
            try scanner.finish()
            return Outcome(lastStatus: scanner.lastStatus)
        } catch {
            return Outcome(error: error, lastStatus: scanner.lastStatus)
        }
    }

    /// Whole, byte by byte and in 50 seeded random splits: the outcome must not depend on how bytes arrive.
    private func everySplit(_ text: String) -> [Outcome] {
        let bytes = Array(text.utf8)
        var outcomes = [scan([bytes]), scan(bytes.map { [$0] })]
        var generator = SeededGenerator(seed: 0x5EED)
        for _ in 0..<50 {
            var pieces: [[UInt8]] = []
            var index = 0
            while index < bytes.count {
                let length = Int.random(in: 1...max(1, bytes.count / 4), using: &generator)
                pieces.append(Array(bytes[index..<min(bytes.count, index + length)]))
                index += length
            }
            outcomes.append(scan(pieces))
        }
        return outcomes
    }

    @Test func aSuccessfulPullHasNoErrorHoweverItIsSplit() {
        let expected = Outcome(lastStatus: "Status: Downloaded newer image for 127.0.0.1:5000/test/busybox:1")
        #expect(everySplit(Self.success).allSatisfy { $0 == expected })
    }

    @Test func anErrorInsideTheStreamIsFoundHoweverItIsSplit() {
        let expected = Outcome(error: .pullFailed(image: "img", message: "unknown blob"), lastStatus: "Downloading")
        #expect(everySplit(Self.failure).allSatisfy { $0 == expected })
    }

    @Test func anErrorWithoutDetailUsesTheErrorText() {
        #expect(
            scan([Array(#"{"error":"TLS handshake timeout"}"#.utf8)]).error
                == .pullFailed(image: "img", message: "TLS handshake timeout"))
    }

    @Test func garbageIsAMalformedStreamNotACrash() {
        guard case .malformedResponse = scan([Array("{\"status\":\"ok\"}\nnot json\n".utf8)]).error else {
            return #expect(Bool(false))
        }
    }

    @Test func aTruncatedLastLineIsMalformed() {
        #expect(
            scan([Array("{\"status\":\"ok\"}\n{\"status\":".utf8)]).error
                == .malformedResponse("the pull's progress stream ends in the middle of a line"))
    }

    @Test func anOversizedLineIsRejectedWithoutBufferingItAll() {
        let huge = "{\"status\":\"" + String(repeating: "x", count: PullProgressScanner.maxDocumentBytes + 10)
        guard case .malformedResponse = scan([Array(huge.utf8)]).error else { return #expect(Bool(false)) }
    }
}
