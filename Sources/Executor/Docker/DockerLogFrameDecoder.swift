import EventLoop

/// The stream a Docker log frame belongs to: the first byte of its header.
enum DockerLogStream: UInt8, Sendable, Equatable {
    case stdin = 0
    case stdout = 1
    case stderr = 2
}

/// A piece of one frame's payload. A frame may come in several pieces; pieces of different frames are
/// never merged.
struct DockerLogChunk: Sendable, Equatable {
    var stream: DockerLogStream
    var bytes: [UInt8]
}

/// Why a Docker log stream cannot be demultiplexed. Offsets count bytes from the start of the stream.
enum DockerLogFrameError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The frame header's stream byte is not 0, 1 or 2.
    case invalidStream(UInt8, offset: Int)
    /// Header bytes 1 to 3 must be zero; `bytes` is what they were.
    case nonZeroPadding([UInt8], offset: Int)
    /// The stream ended inside a frame (`missing` more bytes were announced or needed for its header).
    case truncatedFrame(missing: Int, offset: Int)

    var description: String {
        switch self {
        case .invalidStream(let byte, let offset):
            return "The Docker log frame at byte \(offset) names stream \(byte); only 0, 1 and 2 exist."
        case .nonZeroPadding(let bytes, let offset):
            return "The Docker log frame header at byte \(offset) has non-zero padding bytes \(bytes)."
        case .truncatedFrame(let missing, let offset):
            return "The Docker log stream ended inside the frame at byte \(offset), \(missing) bytes short."
        }
    }
}

/// Demultiplexes the body of Docker's logs endpoint for a container without a TTY: a sequence of frames
/// `[stream: 1 byte][0, 0, 0][payload length: big-endian UInt32][payload]`. (With a TTY the body is raw
/// bytes and needs no decoder.)
///
/// Feed it the de-chunked body as it arrives: frames span HTTP chunks and a chunk may hold several frames.
/// Payloads are handed out in pieces of at most `maxPieceSize` bytes as soon as bytes arrive, so a frame
/// announcing 4 GiB never makes the decoder hold more than what is in flight. Empty frames are skipped.
struct DockerLogFrameDecoder: Sendable {
    static let headerSize = 8

    let maxPieceSize: Int
    /// The frame whose payload is being handed out, and how many of its bytes are still to come.
    private var current: (stream: DockerLogStream, remaining: Int)?
    /// Bytes consumed since the start of the stream, for error offsets.
    private var streamOffset = 0
    /// Offset of the current frame's header, for error messages.
    private var frameOffset = 0

    init(maxPieceSize: Int = 64 * 1024) {
        precondition(maxPieceSize > 0, "a piece must be able to hold at least one byte")
        self.maxPieceSize = maxPieceSize
    }

    /// Returns the next piece of payload, or nil when more bytes are needed. Call again until nil.
    mutating func decode(_ buffer: inout ByteBuffer) throws(DockerLogFrameError) -> DockerLogChunk? {
        while true {
            if let (stream, remaining) = current {
                guard !buffer.isEmpty else { return nil }
                let count = min(remaining, buffer.readableBytes, maxPieceSize)
                let bytes = buffer.readBytes(count)!
                streamOffset += count
                current = count == remaining ? nil : (stream, remaining - count)
                return DockerLogChunk(stream: stream, bytes: bytes)
            }
            guard buffer.readableBytes >= Self.headerSize else { return nil }
            guard let stream = DockerLogStream(rawValue: buffer[0]) else {
                throw .invalidStream(buffer[0], offset: streamOffset)
            }
            guard buffer[1] == 0 && buffer[2] == 0 && buffer[3] == 0 else {
                throw .nonZeroPadding([buffer[1], buffer[2], buffer[3]], offset: streamOffset)
            }
            var length = 0
            for index in 4..<Self.headerSize {
                length = length << 8 | Int(buffer[index])
            }
            buffer.moveReaderIndex(forwardBy: Self.headerSize)
            frameOffset = streamOffset
            streamOffset += Self.headerSize
            current = length == 0 ? nil : (stream, length)
        }
    }

    /// Checks that the stream, which has ended, did not stop inside a frame. Call it once `decode` has
    /// returned nil for the last bytes; `buffer` then holds at most the start of a frame header.
    func finish(_ buffer: ByteBuffer) throws(DockerLogFrameError) {
        if let (_, remaining) = current {
            throw .truncatedFrame(missing: remaining, offset: frameOffset)
        }
        if !buffer.isEmpty {
            throw .truncatedFrame(missing: Self.headerSize - buffer.readableBytes, offset: streamOffset)
        }
    }
}
