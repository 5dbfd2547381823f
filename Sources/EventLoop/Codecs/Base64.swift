/// Standard Base64 (RFC 4648 section 4) with '=' padding, as Mesos writes `bytes` proto fields in JSON.
public enum Base64 {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Each ASCII byte's 6-bit value, or 0xFF for bytes outside the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, symbol) in alphabet.enumerated() {
            table[Int(symbol)] = UInt8(value)
        }
        return table
    }()

    /// The padded text form of `bytes`.
    public static func encode<B: Sequence>(_ bytes: B) -> String where B.Element == UInt8 {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index < input.count {
            let remaining = input.count - index
            let first = UInt32(input[index])
            let second = remaining > 1 ? UInt32(input[index + 1]) : 0
            let third = remaining > 2 ? UInt32(input[index + 2]) : 0
            let group = first << 16 | second << 8 | third
            output.append(alphabet[Int(group >> 18 & 0x3F)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            output.append(remaining > 1 ? alphabet[Int(group >> 6 & 0x3F)] : UInt8(ascii: "="))
            output.append(remaining > 2 ? alphabet[Int(group & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes encoded by `text`, strictly: a length that is a multiple of 4, only alphabet characters, at
    /// most two '=' and only at the very end, and zero bits in the unused tail of the last character (so every
    /// byte string has exactly one accepted text form).
    public static func decode(_ text: String) throws(Base64Error) -> [UInt8] {
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { throw .invalidLength(input.count) }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLast = index + 4 == input.count
            var group: UInt32 = 0
            var padding = 0
            for offset in index..<index + 4 {
                let symbol = input[offset]
                if symbol == UInt8(ascii: "=") {
                    // Padding may fill the last one or two positions of the final group only.
                    guard isLast, offset - index >= 2 else { throw .misplacedPadding(offset: offset) }
                    padding += 1
                    group <<= 6
                    continue
                }
                guard padding == 0 else { throw .misplacedPadding(offset: offset - 1) }
                let value = values[Int(symbol)]
                guard value != 0xFF else { throw .invalidCharacter(symbol, offset: offset) }
                group = group << 6 | UInt32(value)
            }
            output.append(UInt8(truncatingIfNeeded: group >> 16))
            if padding < 2 {
                output.append(UInt8(truncatingIfNeeded: group >> 8))
            }
            if padding < 1 {
                output.append(UInt8(truncatingIfNeeded: group))
            }
            let unusedBits: UInt32 = padding == 2 ? 0xFFFF : padding == 1 ? 0xFF : 0
            if group & unusedBits != 0 {
                throw .nonZeroTrailingBits(offset: index + 3 - padding)
            }
            index += 4
        }
        return output
    }
}

/// Why a Base64 text was rejected; offsets count bytes of the text's UTF-8.
public enum Base64Error: Error, Equatable, CustomStringConvertible {
    /// The length is not a multiple of 4.
    case invalidLength(Int)
    case invalidCharacter(UInt8, offset: Int)
    /// '=' before the last group, in its first two positions, or followed by a non-'=' character.
    case misplacedPadding(offset: Int)
    /// The character before the padding carries bits that encode no byte.
    case nonZeroTrailingBits(offset: Int)

    public var description: String {
        switch self {
        case .invalidLength(let length):
            "Invalid Base64: the length \(length) is not a multiple of 4."
        case .invalidCharacter(let byte, let offset):
            "Invalid Base64 at byte \(offset): \(Self.show(byte)) is not in the Base64 alphabet."
        case .misplacedPadding(let offset):
            "Invalid Base64 at byte \(offset): '=' padding may only end the text."
        case .nonZeroTrailingBits(let offset):
            "Invalid Base64 at byte \(offset): the last character before the padding has non-zero unused bits."
        }
    }

    private static func show(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte \(byte)"
    }
}
