import EventLoop

// The chunked transfer decoder (the agent's SUBSCRIBE stream, Docker's logs and pull progress). Invariants: no
// crash; the same data (joined), ends and error whatever the split; after `.end` it decodes the next body.

private let limits = HTTPLimits(
    maxHeadLineLength: 256, maxHeadSize: 1024, maxHeaderCount: 16, maxChunkSizeLineLength: 32)

private struct Outcome: Equatable {
    var bodies: [[UInt8]] = [[]]
    var ends = 0
    var error: HTTPClientError?
}

private func decode(_ pieces: [ArraySlice<UInt8>]) -> Outcome {
    var decoder = ChunkedDecoder(limits: limits)
    var buffer = ByteBuffer()
    var outcome = Outcome()
    do throws(HTTPClientError) {
        for piece in pieces {
            buffer.append(contentsOf: piece)
            while let part = try decoder.decode(&buffer) {
                switch part {
                case .data(let bytes):
                    fuzzCheck(!bytes.isEmpty, "an empty data piece")
                    outcome.bodies[outcome.bodies.count - 1] += bytes
                case .end:
                    outcome.ends += 1
                    outcome.bodies.append([])
                }
            }
        }
    } catch {
        outcome.error = error
    }
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunked(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzInput(data, count)
    FuzzSplits.decodeAgreeing(input) { decode($0) }
    return 0
}
