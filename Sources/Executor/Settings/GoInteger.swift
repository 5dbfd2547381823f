/// Go's `strconv.ParseInt(s, 0, 64)` and `strconv.ParseUint(s, 0, 64)`: the integer syntax of the original
/// executor's settings. A leading `0x`/`0X` is hexadecimal, `0b`/`0B` binary, `0o`/`0O` octal, and a bare
/// leading `0` octal too (so `010` is 8 and `08` is an error); `_` may separate digits (`1_000`, `0x_1F`) but
/// not start, end or double up; a sign is allowed only for the signed form. No spaces anywhere.
enum GoInteger {
    enum Failure: Error, Equatable {
        /// Not Go's integer syntax.
        case syntax
        /// The syntax is right but the value does not fit in 64 bits.
        case range
    }

    /// `strconv.ParseInt(text, 0, 64)`.
    static func parseSigned(_ text: String) throws(Failure) -> Int64 {
        var body = Substring(text)
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        let magnitude = try parseUnsigned(body)
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw .range }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw .range }
        return Int64(magnitude)
    }

    /// `strconv.ParseUint(text, 0, 64)`.
    static func parseUnsigned(_ text: some StringProtocol) throws(Failure) -> UInt64 {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw .syntax }
        var base: UInt64 = 10
        var start = 0
        if bytes[0] == UInt8(ascii: "0") {
            switch bytes.count >= 3 ? bytes[1] | 0x20 : 0 {
            case UInt8(ascii: "b"): (base, start) = (2, 2)
            case UInt8(ascii: "o"): (base, start) = (8, 2)
            case UInt8(ascii: "x"): (base, start) = (16, 2)
            default: (base, start) = (8, 1)
            }
        }
        var value: UInt64 = 0
        var sawUnderscore = false
        var overflowed = false
        for byte in bytes[start...] {
            if byte == UInt8(ascii: "_") {
                sawUnderscore = true
                continue
            }
            guard let digit = Self.digit(byte), digit < base else { throw .syntax }
            let (product, overflow1) = value.multipliedReportingOverflow(by: base)
            let (sum, overflow2) = product.addingReportingOverflow(digit)
            if overflow1 || overflow2 { overflowed = true }
            value = sum
        }
        if sawUnderscore, !underscoresAreSeparators(bytes) { throw .syntax }
        if overflowed { throw .range }
        return value
    }

    private static func digit(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt64(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt64(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }

    /// Every `_` sits between two digits, or between the base prefix and a digit (Go's `underscoreOK`).
    private static func underscoresAreSeparators(_ bytes: [UInt8]) -> Bool {
        enum Last { case start, digit, underscore, other }
        var last = Last.start
        var index = 0
        var hex = false
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "0"),
            [UInt8(ascii: "b"), UInt8(ascii: "o"), UInt8(ascii: "x")].contains(bytes[1] | 0x20)
        {
            index = 2
            last = .digit
            hex = bytes[1] | 0x20 == UInt8(ascii: "x")
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            let lower = byte | 0x20
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (hex && (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(lower))
            {
                last = .digit
            } else if byte == UInt8(ascii: "_") {
                guard last == .digit else { return false }
                last = .underscore
            } else {
                guard last != .underscore else { return false }
                last = .other
            }
        }
        return last != .underscore
    }
}
