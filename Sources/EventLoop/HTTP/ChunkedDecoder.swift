/// Incremental decoder of the chunked transfer coding (RFC 9112 §7.1).
///
/// Data is handed out as soon as it arrives, never held back until a chunk is complete: a peer announcing
/// a 1 GB chunk makes the decoder allocate only what has actually been received. Chunk extensions are
/// checked and ignored. Trailer fields are parsed under the head limits (so they cannot grow without bound)
/// and dropped: nothing this client talks to sends any that matter. After `.end` the decoder is ready for
/// another chunked body.
public struct ChunkedDecoder: Sendable {
    public enum Part: Sendable, Equatable {
        /// Body bytes, never empty.
        case data([UInt8])
        /// The last chunk and the trailer section have been consumed.
        case end
    }

    /// Largest chunk size accepted: 12 hex digits. Larger sizes are an attack or a bug, never a real body.
    public static let maxChunkSize = 0xFFFF_FFFF_FFFF

    private enum State: Sendable {
        case sizeLine
        case data(remaining: Int)
        /// After a chunk's data: the CR (`sawCR` false) or the LF (`sawCR` true) of its CRLF is next.
        case dataTerminator(sawCR: Bool)
        case trailers
    }

    private let limits: HTTPLimits
    private var state = State.sizeLine
    private var lines = HTTPLineScanner()
    private var trailers: HTTPFieldParser
    /// Bytes of the chunked body consumed so far, framing included, for error messages.
    private var offset = 0

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
        trailers = HTTPFieldParser(limits: limits)
    }

    /// Consumes framing and returns the next piece of data, `.end` after the trailers, or nil when more
    /// bytes are needed. Call again until it returns nil: one buffer may hold several chunks.
    public mutating func decode(_ buffer: inout ByteBuffer) throws(HTTPClientError) -> Part? {
        while true {
            switch state {
            case .sizeLine:
                switch lines.nextLine(in: buffer, maxLength: limits.maxChunkSizeLineLength) {
                case .needMoreBytes:
                    return nil
                case .tooLong:
                    throw .chunkSizeLineTooLong(limit: limits.maxChunkSizeLineLength)
                case .line(let length, let consumed):
                    let size = try chunkSize(buffer.readableView.prefix(length))
                    consume(consumed, from: &buffer)
                    state = size == 0 ? .trailers : .data(remaining: size)
                }
            case .data(let remaining):
                guard !buffer.isEmpty else { return nil }
                let count = min(remaining, buffer.readableBytes)
                let bytes = buffer.readBytes(count)!
                offset += count
                state = count == remaining ? .dataTerminator(sawCR: false) : .data(remaining: remaining - count)
                return .data(bytes)
            case .dataTerminator(let sawCR):
                guard !buffer.isEmpty else { return nil }
                let expected = sawCR ? UInt8(ascii: "\n") : UInt8(ascii: "\r")
                guard buffer[0] == expected else {
                    let found = ASCII.excerpt([buffer[0]])
                    throw .malformedChunk(reason: "chunk data is not followed by CRLF ('\(found)' at byte \(offset))")
                }
                consume(1, from: &buffer)
                state = sawCR ? .sizeLine : .dataTerminator(sawCR: true)
            case .trailers:
                guard try trailers.parse(&buffer) != nil else { return nil }
                self = ChunkedDecoder(limits: limits)
                return .end
            }
        }
    }

    private mutating func consume(_ count: Int, from buffer: inout ByteBuffer) {
        buffer.moveReaderIndex(forwardBy: count)
        offset += count
    }

    /// Parses `1*HEXDIG [BWS ";" chunk-ext]`. Extensions may hold any visible text (quoted strings included)
    /// but no control bytes; their syntax is otherwise not checked because their content is ignored.
    private func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTPClientError) -> Int {
        var size = 0
        var index = line.startIndex
        while index < line.endIndex, let digit = ASCII.hexValue(line[index]) {
            // Checked before accumulating, so the value cannot overflow whatever the peer sends.
            guard size <= Self.maxChunkSize >> 4 else {
                throw .malformedChunk(
                    reason: "the chunk size '\(ASCII.excerpt(line))' at byte \(offset) exceeds 12 hex digits"
                )
            }
            size = size << 4 | digit
            index += 1
        }
        guard index > line.startIndex else {
            throw .malformedChunk(
                reason: "the chunk-size line '\(ASCII.excerpt(line))' at byte \(offset) has no hex size"
            )
        }
        var rest = line[index...]
        while let first = rest.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            rest.removeFirst()
        }
        guard rest.isEmpty || (rest.first == UInt8(ascii: ";") && HTTPHeaders.isValidValue(rest)) else {
            throw .malformedChunk(
                reason: "the chunk-size line '\(ASCII.excerpt(line))' at byte \(offset) has bytes after the size"
            )
        }
        return size
    }
}
