/// 10^0 ... 10^22: every one is exact in a Double, which is what makes the fast path below correctly rounded.
private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

extension JSONParser {
    /// Parses a number straight from the bytes; the cursor is on '-' or a digit.
    ///
    /// Integers that fit `Int64` come out exact. Other numbers take Clinger's fast path when the digits fit in
    /// 53 bits and the power of ten is exact (one correctly rounded multiply or divide), and otherwise the
    /// validated text goes to the standard library's correctly rounded conversion.
    mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = position
        let end = input.count
        var index = position
        let negative = input[index] == UInt8(ascii: "-")
        if negative {
            index += 1
        }
        guard index < end else { throw endError() }

        // All digits, integer and fraction, as one mantissa while they fit; `digitCount` says whether they did.
        var mantissa: UInt64 = 0
        var digitCount = 0
        if input[index] == UInt8(ascii: "0") {
            index += 1
            if index < end && Self.isDigit(input[index]) {
                throw JSONError(offset: index, reason: .invalidNumber)
            }
        } else if Self.isDigit(input[index]) {
            accumulateDigits(at: &index, into: &mantissa, count: &digitCount)
        } else {
            throw JSONError(offset: index, reason: .invalidNumber)
        }

        var isInteger = true
        var fractionDigits = 0
        if index < end && input[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let before = digitCount
            accumulateDigits(at: &index, into: &mantissa, count: &digitCount)
            fractionDigits = digitCount - before
            guard fractionDigits > 0 else { throw digitError(at: index) }
        }

        var exponent = 0
        if index < end && (input[index] | 0x20) == UInt8(ascii: "e") {
            isInteger = false
            index += 1
            var exponentNegative = false
            if index < end && (input[index] == UInt8(ascii: "+") || input[index] == UInt8(ascii: "-")) {
                exponentNegative = input[index] == UInt8(ascii: "-")
                index += 1
            }
            let exponentStart = index
            while index < end && Self.isDigit(input[index]) {
                // Saturate: any exponent this large is already far outside Double's range.
                if exponent < 100_000 {
                    exponent = exponent * 10 + Int(input[index] &- UInt8(ascii: "0"))
                }
                index += 1
            }
            guard index > exponentStart else { throw digitError(at: index) }
            if exponentNegative {
                exponent = -exponent
            }
        }
        position = index

        let exact = digitCount <= 19
        if isInteger && exact {
            if !negative && mantissa <= UInt64(Int64.max) {
                return .int(Int64(mantissa))
            }
            if negative && mantissa <= UInt64(Int64.max) + 1 {
                return .int(Int64(truncatingIfNeeded: 0 &- mantissa))
            }
        }
        if exact && mantissa <= 1 << 53 {
            let power = exponent - fractionDigits
            if -22...22 ~= power {
                var value = Double(mantissa)
                value = power < 0 ? value / exactPowersOfTen[-power] : value * exactPowersOfTen[power]
                return .double(negative ? -value : value)
            }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: input[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw JSONError(offset: start, reason: .numberOutOfRange)
        }
        return .double(value)
    }

    private func accumulateDigits(at index: inout Int, into mantissa: inout UInt64, count: inout Int) {
        while index < input.count && Self.isDigit(input[index]) {
            // Past 19 digits the mantissa could overflow; stop adding, the count marks it inexact.
            if count < 19 {
                mantissa = mantissa &* 10 &+ UInt64(input[index] &- UInt8(ascii: "0"))
            }
            count += 1
            index += 1
        }
    }

    /// A digit was required at `index`: the input either ended or holds something else there.
    private func digitError(at index: Int) -> JSONError {
        index < input.count ? JSONError(offset: index, reason: .invalidNumber) : endError()
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }
}
