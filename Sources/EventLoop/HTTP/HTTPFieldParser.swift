/// Parses header field lines up to the empty line that ends them: a response head's headers, or the
/// trailer section after a chunked body.
///
/// Every limit is checked before the bytes it concerns are kept: a line is rejected once it outgrows
/// `maxHeadLineLength` (without waiting for its end), the block once it outgrows `maxHeadSize`.
struct HTTPFieldParser: Sendable {
    private let limits: HTTPLimits
    private var lines = HTTPLineScanner()
    private var fields = HTTPHeaders()
    /// Bytes of the block consumed so far, counting whatever came before it (the status line), so that
    /// `maxHeadSize` bounds the whole head.
    private var consumedBytes: Int

    init(limits: HTTPLimits, consumedBytes: Int = 0) {
        self.limits = limits
        self.consumedBytes = consumedBytes
    }

    /// Consumes complete field lines; returns the fields once the empty line has been consumed, nil while
    /// more bytes are needed.
    mutating func parse(_ buffer: inout ByteBuffer) throws(HTTPClientError) -> HTTPHeaders? {
        while true {
            switch lines.nextLine(in: buffer, maxLength: limits.maxHeadLineLength) {
            case .needMoreBytes:
                guard consumedBytes + buffer.readableBytes <= limits.maxHeadSize else {
                    throw .headTooLarge(limit: limits.maxHeadSize)
                }
                return nil
            case .tooLong:
                throw limits.tooLongLineError(lineStart: consumedBytes)
            case .line(let length, let consumed):
                guard consumedBytes + consumed <= limits.maxHeadSize else {
                    throw .headTooLarge(limit: limits.maxHeadSize)
                }
                if length > 0 {
                    let (name, value) = try parseField(buffer.readableView.prefix(length))
                    fields.add(name, value)
                }
                buffer.moveReaderIndex(forwardBy: consumed)
                consumedBytes += consumed
                if length == 0 { return fields }
            }
        }
    }

    /// Splits `name ":" OWS value OWS` (RFC 9112 §5), rejecting what RFC 9112 tells recipients to reject.
    private func parseField(_ line: ArraySlice<UInt8>) throws(HTTPClientError) -> (String, String) {
        if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
            throw .obsoleteLineFolding(line: ASCII.excerpt(line))
        }
        guard fields.count < limits.maxHeaderCount else {
            throw .tooManyHeaders(limit: limits.maxHeaderCount)
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw .malformedHeader(line: ASCII.excerpt(line), reason: "it has no colon")
        }
        let name = line[..<colon]
        // Whitespace before the colon is not a token byte, so this also rejects "Name : value" (§5.1).
        guard HTTPHeaders.isValidName(name) else {
            throw .malformedHeader(line: ASCII.excerpt(line), reason: "its name is not a token")
        }
        var value = line[(colon + 1)...]
        while let first = value.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            value.removeFirst()
        }
        while let last = value.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            value.removeLast()
        }
        guard HTTPHeaders.isValidValue(value) else {
            throw .malformedHeader(line: ASCII.excerpt(line), reason: "its value contains a control byte")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }
}
