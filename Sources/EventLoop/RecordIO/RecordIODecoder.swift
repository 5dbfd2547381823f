/// Incremental decoder of a RecordIO stream (see `RecordIO`), typically fed the de-chunked body of the
/// Mesos SUBSCRIBE response.
///
/// Records are returned whole, as JSON needs them, so the memory a peer can claim is bounded by
/// `maxRecordSize`, which is checked as soon as the length line is complete, before anything is
/// allocated for the record. The length line itself is bounded too, and a non-digit is rejected at once.
/// A length of 0 yields an empty record: Mesos never sends one, but the format allows it, and treating
/// it as an error would reject a well-framed stream.
public struct RecordIODecoder: Sendable {
    /// Most characters in a length line: enough for any 64-bit size.
    public static let maxLengthDigits = 20

    public let maxRecordSize: Int
    /// The announced length of the record whose bytes are awaited, once its length line is consumed.
    private var pendingLength: Int?
    /// Length-line bytes already checked to be digits.
    private var scannedDigits = 0
    /// Bytes consumed since the start of the stream, for error offsets.
    private var streamOffset = 0

    public init(maxRecordSize: Int = 16 << 20) {
        self.maxRecordSize = maxRecordSize
    }

    /// Returns the next complete record, or nil when more bytes are needed. Call again until nil: one
    /// buffer may hold several records.
    public mutating func decode(_ buffer: inout ByteBuffer) throws(RecordIOError) -> [UInt8]? {
        if pendingLength == nil {
            guard let length = try decodeLength(&buffer) else { return nil }
            pendingLength = length
        }
        guard let length = pendingLength, let record = buffer.readBytes(length) else { return nil }
        pendingLength = nil
        streamOffset += length
        return record
    }

    /// Consumes the length line once it is complete and within limits.
    private mutating func decodeLength(_ buffer: inout ByteBuffer) throws(RecordIOError) -> Int? {
        while scannedDigits < buffer.readableBytes {
            let byte = buffer[scannedDigits]
            if byte == UInt8(ascii: "\n") {
                break
            }
            guard ASCII.decimalValue(byte) != nil else {
                throw .invalidLengthCharacter(byte, offset: streamOffset + scannedDigits)
            }
            scannedDigits += 1
            guard scannedDigits <= Self.maxLengthDigits else { throw .lengthLineTooLong(offset: streamOffset) }
        }
        guard scannedDigits < buffer.readableBytes else { return nil }
        guard scannedDigits > 0 else { throw .emptyLength(offset: streamOffset) }
        // The slice of the buffer dies with this statement, before the buffer is mutated (no copy-on-write).
        let length = try checkedLength(buffer.readableView.prefix(scannedDigits))
        buffer.moveReaderIndex(forwardBy: scannedDigits + 1)
        streamOffset += scannedDigits + 1
        scannedDigits = 0
        return length
    }

    /// The announced length, known to be all digits, if it is within `maxRecordSize`.
    private func checkedLength(_ digits: ArraySlice<UInt8>) throws(RecordIOError) -> Int {
        // nil only on overflow (the bytes are known digits), which is too large as well.
        guard let length = ASCII.decimalNumber(digits), length <= maxRecordSize else {
            let text = String(decoding: digits, as: UTF8.self)
            throw .recordTooLarge(length: text, limit: maxRecordSize, offset: streamOffset)
        }
        return length
    }
}
