/// Small ASCII helpers shared by the text-framed decoders (HTTP, RecordIO): digit values and printable
/// excerpts of peer bytes for error messages.
package enum ASCII {
    /// The most bytes of peer-supplied text an error message quotes.
    static let excerptLimit = 120

    /// `bytes` as printable text for an error message: at most `excerptLimit` bytes, control and non-ASCII
    /// bytes escaped (`\r`, `\n`, `\t`, `\xNN`, and `\\` for a backslash), `...` when cut. Bounded so that a
    /// megabyte of garbage never turns into a megabyte of log line.
    static func excerpt(_ bytes: some Collection<UInt8>) -> String {
        var text = ""
        for byte in bytes.prefix(excerptLimit) {
            switch byte {
            case UInt8(ascii: "\r"): text += "\\r"
            case UInt8(ascii: "\n"): text += "\\n"
            case UInt8(ascii: "\t"): text += "\\t"
            case UInt8(ascii: "\\"): text += "\\\\"
            case 0x20..<0x7F: text.unicodeScalars.append(Unicode.Scalar(byte))
            default: text += "\\x" + String(hexDigits[Int(byte >> 4)]) + String(hexDigits[Int(byte & 0xF)])
            }
        }
        if bytes.count > excerptLimit { text += "..." }
        return text
    }

    /// Where `needle` first occurs in `text`, compared byte for byte on the UTF-8 view. The standard library's
    /// `firstRange(of:)` and `contains(_: String)` live in _StringProcessing: a single use anywhere links that whole
    /// module (and _RegexParser) into the executor, whose conformance records the runtime then reads at start-up, and
    /// one call maps three 64 KiB windows of its code (BENCHMARKS.md). The tests check the binary links neither.
    package static func firstRange(of needle: StaticString, in text: Substring) -> Range<String.Index>? {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        let bytes = text.utf8
        var start = bytes.startIndex
        while start != bytes.endIndex {
            if bytes[start...].starts(with: pattern) {
                return start..<bytes.index(start, offsetBy: pattern.count)
            }
            bytes.formIndex(after: &start)
        }
        return nil
    }

    /// The value of a decimal digit byte, nil for any other byte.
    static func decimalValue(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    /// The value of a hexadecimal digit byte (either case), nil for any other byte.
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// `1*DIGIT` as an Int: nil when empty, when any byte is not a digit, or when the value overflows.
    static func decimalNumber(_ digits: some Collection<UInt8>) -> Int? {
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in digits {
            guard let digit = decimalValue(byte) else { return nil }
            let (shifted, overflowed) = value.multipliedReportingOverflow(by: 10)
            let (sum, carried) = shifted.addingReportingOverflow(digit)
            guard !overflowed && !carried else { return nil }
            value = sum
        }
        return value
    }

    private static let hexDigits: [Character] = Array("0123456789ABCDEF")
}
