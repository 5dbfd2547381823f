/// Why a JSON document was rejected, and where.
///
/// `offset` counts bytes from the start of the document (or, for `JSONStreamDecoder`, from the start of the
/// stream), so a log line points at the exact byte a peer got wrong.
public struct JSONError: Error, Equatable, CustomStringConvertible {
    /// What the parser wanted to see when it met an unexpected byte.
    public enum Expectation: Sendable, Equatable, CustomStringConvertible {
        case value
        case objectKey
        case objectKeyOrEndOfObject
        case colon
        case commaOrEndOfArray
        case commaOrEndOfObject
        /// The rest of `true`, `false` or `null`.
        case literal(String)

        public var description: String {
            switch self {
            case .value: "a value"
            case .objectKey: "a string key"
            case .objectKeyOrEndOfObject: "a string key or '}'"
            case .colon: "':'"
            case .commaOrEndOfArray: "',' or ']'"
            case .commaOrEndOfObject: "',' or '}'"
            case .literal(let word): "'\(word)'"
            }
        }
    }

    public enum Reason: Sendable, Equatable {
        /// The input ended before the value was complete.
        case unexpectedEnd
        case unexpectedByte(UInt8, expected: Expectation)
        /// A backslash followed by something other than `" \ / b f n r t u`.
        case invalidEscape
        /// `\u` not followed by four hexadecimal digits.
        case invalidUnicodeEscape
        /// A `\uD800`-`\uDFFF` escape that is not half of a high/low surrogate pair.
        case loneSurrogate
        case invalidUTF8
        /// A raw byte below 0x20 inside a string; RFC 8259 requires it escaped.
        case controlCharacterInString(UInt8)
        /// A number that breaks the grammar: leading zero, missing digits, a dangling '.' or exponent.
        case invalidNumber
        /// A number too large for a finite `Double` (the serializer could not write it back).
        case numberOutOfRange
        /// Bytes other than whitespace after the one top-level value.
        case trailingData(UInt8)
        /// More nested arrays and objects than `JSONLimits.maxDepth`.
        case tooDeep(limit: Int)
        /// A string longer (in input bytes) than `JSONLimits.maxStringBytes`.
        case stringTooLong(limit: Int)
        /// A document longer than the parser's or stream decoder's byte limit.
        case documentTooLarge(limit: Int)
    }

    /// Byte offset of the offending input.
    public let offset: Int
    public let reason: Reason

    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    /// The same error with its offset moved by `delta`, for documents cut out of a longer stream.
    func shifted(by delta: Int) -> JSONError {
        JSONError(offset: offset + delta, reason: reason)
    }

    public var description: String {
        "Invalid JSON at byte \(offset): \(explanation)."
    }

    private var explanation: String {
        switch reason {
        case .unexpectedEnd:
            "the input ended before the value was complete"
        case .unexpectedByte(let byte, let expected):
            "expected \(expected) but found \(Self.show(byte))"
        case .invalidEscape:
            "invalid escape sequence in a string"
        case .invalidUnicodeEscape:
            "'\\u' must be followed by four hexadecimal digits"
        case .loneSurrogate:
            "a UTF-16 surrogate escape is not part of a valid high/low pair"
        case .invalidUTF8:
            "the string is not valid UTF-8"
        case .controlCharacterInString(let byte):
            "control character \(Self.show(byte)) must be escaped inside a string"
        case .invalidNumber:
            "malformed number"
        case .numberOutOfRange:
            "the number is too large to represent as a 64-bit floating point value"
        case .trailingData(let byte):
            "unexpected \(Self.show(byte)) after the end of the document"
        case .tooDeep(let limit):
            "arrays and objects are nested deeper than the limit of \(limit)"
        case .stringTooLong(let limit):
            "a string is longer than the limit of \(limit) bytes"
        case .documentTooLarge(let limit):
            "the document is larger than the limit of \(limit) bytes"
        }
    }

    /// Printable ASCII as a quoted character, anything else in hex, so logs stay one readable line.
    static func show(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "byte 0x0\(hex)" : "byte 0x\(hex)"
    }
}
