/// Locates invalid UTF-8 for error messages.
///
/// The parser validates with the standard library (`String(validating:)`); this runs only after that failed,
/// to name the offending byte. It follows RFC 3629 table 3-7: no overlong forms, no surrogates, nothing above
/// U+10FFFF.
enum JSONUTF8Validation {
    /// Offset of the first byte of the first invalid sequence in `bytes`, or nil when all of it is valid.
    static func firstInvalidOffset(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length: Int
            var secondRange: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0x00...0x7F:
                index += 1
                continue
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                secondRange = 0xA0...0xBF
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                secondRange = 0x80...0x9F
            case 0xF0:
                length = 4
                secondRange = 0x90...0xBF
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                secondRange = 0x80...0x8F
            default:
                return index
            }
            guard index + length <= bytes.count, secondRange ~= bytes[index + 1] else { return index }
            for continuation in index + 2..<index + length where !(0x80...0xBF ~= bytes[continuation]) {
                return index
            }
            index += length
        }
        return nil
    }
}
