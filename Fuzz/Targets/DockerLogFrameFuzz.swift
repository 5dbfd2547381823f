import EventLoop

@testable import Executor

// Docker's multiplexed log framing (a container's stdout and stderr). Invariants: no crash; the same payload per
// stream, the same end check and error whatever the split; no piece is larger than the limit.

private let maxPieceSize = 16

private struct Outcome: Equatable {
    var chunks: [DockerLogChunk] = []
    var error: DockerLogFrameError?
    var finishError: DockerLogFrameError?
}

private func decode(_ pieces: [ArraySlice<UInt8>]) -> Outcome {
    var decoder = DockerLogFrameDecoder(maxPieceSize: maxPieceSize)
    var buffer = ByteBuffer()
    var outcome = Outcome()
    do throws(DockerLogFrameError) {
        for piece in pieces {
            buffer.append(contentsOf: piece)
            while let chunk = try decoder.decode(&buffer) {
                fuzzCheck(!chunk.bytes.isEmpty && chunk.bytes.count <= maxPieceSize, "a piece of \(chunk.bytes.count)")
                // Joined per run of one stream: where pieces are cut depends on the split, the payload does not.
                if let last = outcome.chunks.last, last.stream == chunk.stream {
                    outcome.chunks[outcome.chunks.count - 1] = DockerLogChunk(
                        stream: last.stream, bytes: last.bytes + chunk.bytes)
                } else {
                    outcome.chunks.append(chunk)
                }
            }
        }
    } catch {
        outcome.error = error
        return outcome
    }
    do throws(DockerLogFrameError) {
        try decoder.finish(buffer)
    } catch {
        outcome.finishError = error
    }
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDockerLogFrames(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzInput(data, count)
    FuzzSplits.decodeAgreeing(input) { decode($0) }
    return 0
}
