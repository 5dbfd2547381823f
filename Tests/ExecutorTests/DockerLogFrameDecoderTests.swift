import EventLoop
import TestSupport
import Testing

@testable import Executor

struct DockerLogFrameDecoderTests {

    private struct Run: Equatable {
        var chunks: [DockerLogChunk] = []
        var error: DockerLogFrameError?
        var leftover: [UInt8] = []
    }

    private func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let length = UInt32(payload.count)
        return [
            stream, 0, 0, 0, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF),
            UInt8(length & 0xFF),
        ]
            + payload
    }

    /// Adjacent pieces of the same stream merged, since piece boundaries follow the network's cuts.
    private func merged(_ chunks: [DockerLogChunk]) -> [DockerLogChunk] {
        var result: [DockerLogChunk] = []
        for chunk in chunks {
            if let last = result.last, last.stream == chunk.stream {
                result[result.count - 1].bytes += chunk.bytes
            } else {
                result.append(chunk)
            }
        }
        return result
    }

    private func run(_ input: [UInt8], pieces: [Int], maxPieceSize: Int) -> Run {
        var decoder = DockerLogFrameDecoder(maxPieceSize: maxPieceSize)
        var buffer = ByteBuffer()
        var run = Run()
        var fed = 0
        do {
            for piece in pieces {
                buffer.append(contentsOf: input[fed..<fed + piece])
                fed += piece
                while let chunk = try decoder.decode(&buffer) {
                    #expect(!chunk.bytes.isEmpty && chunk.bytes.count <= maxPieceSize)
                    run.chunks.append(chunk)
                }
            }
            run.leftover = buffer.readableArray
        } catch {
            run.error = error
        }
        return run
    }

    /// Decodes `input` whole, byte by byte and in 25 seeded random splits, expecting the same result each time.
    private func decodeEveryWay(_ input: [UInt8], maxPieceSize: Int = 64 * 1024) -> Run {
        var splittings = [[input.count], [Int](repeating: 1, count: input.count)]
        var generator = SeededGenerator(seed: 0xD0C4E5)
        for _ in 0..<25 {
            let largest = Int.random(in: 1...max(1, input.count / 2), using: &generator)
            var pieces: [Int] = []
            var left = input.count
            while left > 0 {
                pieces.append(Int.random(in: 1...min(left, largest), using: &generator))
                left -= pieces.last!
            }
            splittings.append(pieces)
        }
        var reference = run(input, pieces: splittings[0], maxPieceSize: maxPieceSize)
        reference.chunks = merged(reference.chunks)
        for pieces in splittings.dropFirst() {
            var other = run(input, pieces: pieces, maxPieceSize: maxPieceSize)
            other.chunks = merged(other.chunks)
            #expect(other == reference, "split into \(pieces.count) pieces")
        }
        return reference
    }

    @Test func demultiplexesFramesOfEachStream() {
        let run = decodeEveryWay(
            frame(1, "out-bar\n") + frame(2, "err-line\n") + frame(1, "got-TERM\n") + frame(0, "in"))
        #expect(
            run.chunks == [
                DockerLogChunk(stream: .stdout, bytes: Array("out-bar\n".utf8)),
                DockerLogChunk(stream: .stderr, bytes: Array("err-line\n".utf8)),
                DockerLogChunk(stream: .stdout, bytes: Array("got-TERM\n".utf8)),
                DockerLogChunk(stream: .stdin, bytes: Array("in".utf8)),
            ])
        #expect(run.error == nil && run.leftover.isEmpty)
    }

    @Test func decodesTheRecordedLogsResponseThroughTheHTTPDecoder() throws {
        // The raw bytes recorded from Docker 20.10's logs endpoint, chunk framing included.
        var wire = Array("HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        wire += Array("10\r\n".utf8) + frame(1, "out-bar\n") + Array("\r\n".utf8)
        wire += Array("11\r\n".utf8) + frame(2, "err-line\n") + Array("\r\n".utf8)
        wire += Array("11\r\n".utf8) + frame(1, "got-TERM\n") + Array("\r\n0\r\n\r\n".utf8)
        var http = HTTPResponseDecoder()
        var socket = ByteBuffer(wire)
        var body = ByteBuffer()
        var logs = DockerLogFrameDecoder()
        var lines: [String] = []
        var ended = false
        while let part = try http.decode(&socket) {
            switch part {
            case .head(let head): #expect(head.status == 200)
            case .body(let bytes): body.append(contentsOf: bytes)
            case .end: ended = true
            }
            while let chunk = try logs.decode(&body) {
                lines.append("\(chunk.stream): \(String(decoding: chunk.bytes, as: UTF8.self))")
            }
        }
        #expect(ended)
        try logs.finish(body)
        #expect(lines == ["stdout: out-bar\n", "stderr: err-line\n", "stdout: got-TERM\n"])
    }

    @Test func handsOutALargeFrameInPiecesAsTheyArrive() throws {
        // A frame announcing 4 GiB - 1: what has arrived comes out at once, capped per piece.
        var decoder = DockerLogFrameDecoder(maxPieceSize: 4)
        var buffer = ByteBuffer([2, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF] + Array("abcdefghij".utf8))
        #expect(try decoder.decode(&buffer) == DockerLogChunk(stream: .stderr, bytes: Array("abcd".utf8)))
        #expect(try decoder.decode(&buffer) == DockerLogChunk(stream: .stderr, bytes: Array("efgh".utf8)))
        #expect(try decoder.decode(&buffer) == DockerLogChunk(stream: .stderr, bytes: Array("ij".utf8)))
        #expect(try decoder.decode(&buffer) == nil)
        #expect(buffer.capacity <= ByteBuffer.retainedCapacity)
        #expect(throws: DockerLogFrameError.truncatedFrame(missing: 0xFFFF_FFFF - 10, offset: 0)) {
            try decoder.finish(buffer)
        }
    }

    @Test func capsPiecesAtTheConfiguredSizeWhateverTheSplit() {
        let payload = String(repeating: "x", count: 100)
        let run = decodeEveryWay(frame(1, payload) + frame(2, "e"), maxPieceSize: 7)
        #expect(
            run.chunks == [
                DockerLogChunk(stream: .stdout, bytes: Array(payload.utf8)),
                DockerLogChunk(stream: .stderr, bytes: Array("e".utf8)),
            ])
    }

    @Test func skipsEmptyFrames() {
        let run = decodeEveryWay(frame(1, "") + frame(2, "") + frame(1, "a"))
        #expect(run.chunks == [DockerLogChunk(stream: .stdout, bytes: Array("a".utf8))])
        #expect(run.error == nil)
    }

    @Test func waitsForACompleteHeader() {
        let run = decodeEveryWay(frame(1, "ab") + [1, 0, 0, 0, 0])
        #expect(run.chunks == [DockerLogChunk(stream: .stdout, bytes: Array("ab".utf8))])
        #expect(run.leftover == [1, 0, 0, 0, 0])
    }

    @Test func rejectsAnUnknownStreamAtItsOffset() {
        let run = decodeEveryWay(frame(1, "ok") + frame(3, "bad"))
        #expect(run.chunks == [DockerLogChunk(stream: .stdout, bytes: Array("ok".utf8))])
        #expect(run.error == .invalidStream(3, offset: 10))
        // Raw TTY output fed by mistake fails at once instead of being misread as frames.
        #expect(decodeEveryWay(Array("tty-out\r\ntty-err\r\n".utf8)).error == .invalidStream(0x74, offset: 0))
    }

    @Test func rejectsNonZeroPadding() {
        let run = decodeEveryWay([1, 0, 1, 0, 0, 0, 0, 1, 0x61])
        #expect(run.error == .nonZeroPadding([0, 1, 0], offset: 0))
    }

    @Test func reportsAStreamThatEndsInsideAFrame() throws {
        var decoder = DockerLogFrameDecoder()
        var buffer = ByteBuffer(frame(1, "done") + [2, 0, 0])
        while try decoder.decode(&buffer) != nil {}
        #expect(throws: DockerLogFrameError.truncatedFrame(missing: 5, offset: 12)) { try decoder.finish(buffer) }
        var complete = ByteBuffer(frame(1, "done"))
        var fresh = DockerLogFrameDecoder()
        while try fresh.decode(&complete) != nil {}
        try fresh.finish(complete)
    }

    @Test func describesErrorsAsSentencesWithOffsets() {
        #expect(
            DockerLogFrameError.invalidStream(7, offset: 16).description
                == "The Docker log frame at byte 16 names stream 7; only 0, 1 and 2 exist.")
        #expect(
            DockerLogFrameError.nonZeroPadding([0, 1, 0], offset: 0).description
                == "The Docker log frame header at byte 0 has non-zero padding bytes [0, 1, 0].")
        #expect(
            DockerLogFrameError.truncatedFrame(missing: 5, offset: 12).description
                == "The Docker log stream ended inside the frame at byte 12, 5 bytes short.")
    }
}
