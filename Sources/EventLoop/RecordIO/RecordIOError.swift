/// Why a RecordIO stream cannot be decoded. Offsets count bytes from the start of the stream.
public enum RecordIOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The length line holds `byte`, which is neither a decimal digit nor the terminating line feed.
    case invalidLengthCharacter(UInt8, offset: Int)
    /// The length line is empty: a line feed where the first digit should be.
    case emptyLength(offset: Int)
    /// The length line has more than `RecordIODecoder.maxLengthDigits` characters without its line feed.
    case lengthLineTooLong(offset: Int)
    /// The record announces `length` bytes (as sent, in decimal), more than the decoder's `limit`.
    case recordTooLarge(length: String, limit: Int, offset: Int)

    public var description: String {
        switch self {
        case .invalidLengthCharacter(let byte, let offset):
            let shown = ASCII.excerpt([byte])
            return "The RecordIO length at byte \(offset) contains '\(shown)', which is not a decimal digit."
        case .emptyLength(let offset):
            return "The RecordIO record at byte \(offset) has an empty length line."
        case .lengthLineTooLong(let offset):
            return
                "The RecordIO length line at byte \(offset) is longer than \(RecordIODecoder.maxLengthDigits) digits."
        case .recordTooLarge(let length, let limit, let offset):
            return "The RecordIO record at byte \(offset) announces \(length) bytes, more than the limit of \(limit)."
        }
    }
}
