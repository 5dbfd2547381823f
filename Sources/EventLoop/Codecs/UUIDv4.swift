/// A 16-byte UUID as Mesos uses it: status update acknowledgements carry one, Base64-encoded in JSON.
///
/// `random()` makes RFC 4122 version 4 UUIDs. Parsing accepts versions 1 to 5, because the Mesos agent checks
/// only that the version nibble is in that range and echoes whatever it received.
public struct UUIDv4: Sendable, Hashable, CustomStringConvertible {
    /// The 16 bytes, in network order.
    public let bytes: [UInt8]

    /// Accepts 16 bytes whose version nibble (high nibble of byte 6) is 1...5.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 16, 1...5 ~= bytes[6] >> 4 else { return nil }
        self.bytes = bytes
    }

    /// Accepts the 8-4-4-4-12 hexadecimal form, in either case, with the same version rule as `init?(bytes:)`.
    public init?(string: String) {
        let text = Array(string.utf8)
        guard text.count == 36 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        var index = 0
        while index < 36 {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard text[index] == UInt8(ascii: "-") else { return nil }
                index += 1
                continue
            }
            guard let high = ASCII.hexValue(text[index]), let low = ASCII.hexValue(text[index + 1]) else { return nil }
            bytes.append(UInt8(high << 4 | low))
            index += 2
        }
        self.init(bytes: bytes)
    }

    /// A fresh version 4 UUID from the system's cryptographic random source.
    public static func random() -> UUIDv4 {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for _ in 0..<2 {
            var word = generator.next() as UInt64
            for _ in 0..<8 {
                bytes.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        bytes[6] = bytes[6] & 0x0F | 0x40  // version 4
        bytes[8] = bytes[8] & 0x3F | 0x80  // RFC 4122 variant (10xx)
        return UUIDv4(bytes: bytes)!
    }

    /// The lowercase 8-4-4-4-12 text form.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 {
                text.append(UInt8(ascii: "-"))
            }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes in standard Base64, the form of a proto `bytes` field in Mesos JSON.
    public var base64: String { Base64.encode(bytes) }
}
