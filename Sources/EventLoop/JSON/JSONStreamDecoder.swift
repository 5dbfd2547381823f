/// Splits a byte stream of concatenated JSON documents and parses them one at a time.
///
/// Docker's pull progress and event streams send one document per line; Sidecar's /watch sends documents back
/// to back with no separator. Both work: whitespace between documents is skipped, and the end of each top-level
/// value is found by a scan that tracks strings, escapes and bracket depth. The scan resumes where it stopped,
/// so feeding a document byte by byte costs linear time. A top-level number is complete only once the byte
/// after it has arrived (more digits could follow); `true`, `false`, `null` and strings end on their own.
///
/// Between calls the caller may only append to the buffer. After an error the stream cannot be resynchronised:
/// drop the connection.
public struct JSONStreamDecoder: Sendable {
    private enum Phase {
        /// Between documents.
        case idle
        /// Inside an array or object: ends when brackets balance.
        case container
        /// A top-level string: ends at the closing quote.
        case string
        /// A top-level number: ends before the first byte that cannot be part of a number.
        case number
        /// `true`, `false` or `null`: ends after this many bytes.
        case literal(length: Int)
    }

    public let limits: JSONLimits
    /// The largest document accepted; the scan fails once an unfinished document grows past it.
    public let maxDocumentBytes: Int

    private var phase = Phase.idle
    /// Readable bytes of the current document already scanned.
    private var scanned = 0
    private var depth = 0
    private var inString = false
    private var afterBackslash = false
    /// Stream offset of the reader index, for error offsets counted from the start of the stream.
    private var streamOffset = 0

    public init(limits: JSONLimits = .default, maxDocumentBytes: Int = 1 << 20) {
        self.limits = limits
        self.maxDocumentBytes = maxDocumentBytes
    }

    /// The next complete document, consumed from `buffer`; nil (consuming at most whitespace) when it needs
    /// more bytes.
    public mutating func decode(_ buffer: inout ByteBuffer) throws(JSONError) -> JSONValue? {
        if case .idle = phase {
            guard try startDocument(&buffer) else { return nil }
        }
        let end = try buffer.readableView.withContiguousStorageIfAvailable { bytes in
            Result { () throws(JSONError) in try scan(bytes) }
        }!.get()
        guard let end else { return nil }

        let document = try buffer.readableView.withContiguousStorageIfAvailable { bytes in
            Result { () throws(JSONError) in
                try JSON.parse(buffer: UnsafeBufferPointer(rebasing: bytes[0..<end]), limits: limits)
            }
        }!.mapError { $0.shifted(by: streamOffset) }.get()
        buffer.moveReaderIndex(forwardBy: end)
        streamOffset += end
        phase = .idle
        scanned = 0
        return document
    }

    /// Skips whitespace and classifies the next document by its first byte; false when the buffer ran dry.
    private mutating func startDocument(_ buffer: inout ByteBuffer) throws(JSONError) -> Bool {
        var skipped = 0
        while skipped < buffer.readableBytes {
            switch buffer[skipped] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                skipped += 1
                continue
            default:
                break
            }
            break
        }
        // Whitespace is consumed right away so that a peer sending only whitespace pins no memory.
        buffer.moveReaderIndex(forwardBy: skipped)
        streamOffset += skipped
        guard !buffer.isEmpty else { return false }
        switch buffer[0] {
        case UInt8(ascii: "{"), UInt8(ascii: "["): phase = .container
        case UInt8(ascii: "\""): phase = .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): phase = .number
        case UInt8(ascii: "t"), UInt8(ascii: "n"): phase = .literal(length: 4)
        case UInt8(ascii: "f"): phase = .literal(length: 5)
        case let byte:
            throw JSONError(offset: streamOffset, reason: .unexpectedByte(byte, expected: .value))
        }
        scanned = 0
        depth = 0
        inString = false
        afterBackslash = false
        return true
    }

    /// Scans on from `scanned`; returns the document's length once its end is in `bytes`.
    private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONError) -> Int? {
        // Only bytes up to the size limit (plus one, to notice excess) are ever looked at.
        let available = min(bytes.count, maxDocumentBytes + 1)
        var index = scanned
        defer { scanned = index }
        switch phase {
        case .idle:
            return nil
        case .literal(let length):
            if bytes.count >= length {
                return try checkSize(length)
            }
            index = min(bytes.count, length)
        case .number:
            while index < available {
                switch bytes[index] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"),
                    UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                    index += 1
                default:
                    return try checkSize(index)
                }
            }
        case .string, .container:
            if case .string = phase, index == 0 {
                inString = true
                index = 1
            }
            while index < available {
                let byte = bytes[index]
                index += 1
                if inString {
                    if afterBackslash {
                        afterBackslash = false
                    } else if byte == UInt8(ascii: "\\") {
                        afterBackslash = true
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                        if depth == 0 { return try checkSize(index) }
                    }
                } else if byte == UInt8(ascii: "\"") {
                    inString = true
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                    if depth > limits.maxDepth {
                        throw JSONError(offset: streamOffset + index - 1, reason: .tooDeep(limit: limits.maxDepth))
                    }
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return try checkSize(index) }
                }
            }
        }
        _ = try checkSize(index)
        return nil
    }

    /// Fails once `length` bytes of one document exceed the limit; returns `length` otherwise.
    private func checkSize(_ length: Int) throws(JSONError) -> Int {
        if length > maxDocumentBytes {
            throw JSONError(offset: streamOffset + maxDocumentBytes, reason: .documentTooLarge(limit: maxDocumentBytes))
        }
        return length
    }
}
