import EventLoop

// The HTTP/1.1 response decoder (every response the executor reads: agent, Docker engine, Sidecar). Invariants: no
// crash, and the same parts (bodies joined) and the same error whether the bytes arrive whole, one by one, or in
// random pieces; the connection then closes (decodeAtEOF).

/// Small limits, so that short inputs reach every limit check.
private let limits = HTTPLimits(
    maxHeadLineLength: 256, maxHeadSize: 1024, maxHeaderCount: 16, maxChunkSizeLineLength: 32)

private enum Outcome: Equatable {
    case head(HTTPResponseHead)
    case body([UInt8])
    case end
    case failed(HTTPClientError)
}

private func decode(_ pieces: [ArraySlice<UInt8>], headFirst: Bool) -> [Outcome] {
    var decoder = HTTPResponseDecoder(limits: limits)
    if headFirst { decoder.expectResponse(to: .head) }
    var buffer = ByteBuffer()
    var outcomes: [Outcome] = []
    func add(_ part: HTTPResponsePart) {
        switch part {
        case .head(let head): outcomes.append(.head(head))
        case .body(let bytes):
            fuzzCheck(!bytes.isEmpty, "an empty body piece")
            if case .body(let previous) = outcomes.last {
                outcomes[outcomes.count - 1] = .body(previous + bytes)
            } else {
                outcomes.append(.body(bytes))
            }
        case .end: outcomes.append(.end)
        }
    }
    do throws(HTTPClientError) {
        for piece in pieces {
            buffer.append(contentsOf: piece)
            while let part = try decoder.decode(&buffer) { add(part) }
        }
        while let part = try decoder.decodeAtEOF(&buffer) { add(part) }
    } catch {
        outcomes.append(.failed(error))
    }
    return outcomes
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPResponse(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzInput(data, count)
    // The first byte's low bit chooses whether the first response answers a HEAD (no body whatever it says).
    let headFirst = (input.first ?? 0) & 1 == 1
    FuzzSplits.decodeAgreeing(input) { decode($0, headFirst: headFirst) }
    return 0
}
