import EventLoop

/// Reads the pull's 200 progress stream (one JSON object per line) and finds the `{"error": ...}` object that
/// reports a failure inside it — the engine sends the 200 before it knows whether the pull will work.
///
/// Incremental: feed body pieces as they arrive; pieces may split documents anywhere.
struct PullProgressScanner {
    /// One progress line is small; anything bigger is not the Engine's stream.
    static let maxDocumentBytes = 64 * 1024

    private var decoder = JSONStreamDecoder(maxDocumentBytes: maxDocumentBytes)
    private var buffer = ByteBuffer()
    /// The last `status` seen, e.g. "Status: Downloaded newer image for ...", for the log.
    private(set) var lastStatus: String?

    /// Consumes `bytes`; throws the first error the stream reports.
    mutating func feed(_ bytes: [UInt8], image: String) throws(DockerError) {
        buffer.append(contentsOf: bytes)
        while true {
            let document: JSONValue?
            do {
                document = try decoder.decode(&buffer)
            } catch {
                throw .malformedResponse("the pull's progress stream is not JSON lines (\(error))")
            }
            guard let document else { return }
            if let error = document["error"] {
                let message = document["errorDetail"]?["message"]?.stringValue ?? error.stringValue ?? "\(error)"
                throw .pullFailed(image: image, message: message)
            }
            if let status = document["status"]?.stringValue { lastStatus = status }
        }
    }

    /// The stream ended: what is left must be blank.
    func finish() throws(DockerError) {
        guard buffer.readableView.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
            throw .malformedResponse("the pull's progress stream ends in the middle of a line")
        }
    }
}
