extension JSONParser {
    /// Parses a string; the cursor is on the opening quote and ends up after the closing one.
    mutating func parseString() throws(JSONError) -> String {
        let start = position + 1
        var index = start
        let end = input.count
        while true {
            index = skipPlainBytes(from: index)
            guard index < end else { throw endError() }
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                try checkStringLength(start: start, end: index)
                position = index + 1
                return try makeString(UnsafeBufferPointer(rebasing: input[start..<index]), rawStart: start)
            } else if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(start: start, firstEscape: index)
            } else if byte < 0x20 {
                throw JSONError(offset: index, reason: .controlCharacterInString(byte))
            }
            index += 1
        }
    }

    /// Skips, eight bytes at a time, bytes that need no attention inside a string (not '"', '\\' or a
    /// control character); returns the offset of the first word that may hold one, or `end` territory.
    private func skipPlainBytes(from start: Int) -> Int {
        var index = start
        guard let base = input.baseAddress else { return index }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        while index &+ 8 <= input.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            // The classic "has a zero byte" test (value - 0x01.. & ~value & 0x80..) applied to the word
            // XOR '"', XOR '\\', and (with 0x20 in place of 0x01) to the word itself for control bytes.
            // Borrows can only flag bytes above a real match, so a zero result proves the word is plain.
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let hits =
                ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                | ((word &- ones &* 0x20) & ~word)
            if hits & highBits != 0 {
                return index
            }
            index &+= 8
        }
        return index
    }

    /// The slow path, for strings with escapes: decodes into `scratch`, copying unescaped runs whole.
    private mutating func parseEscapedString(start: Int, firstEscape: Int) throws(JSONError) -> String {
        scratch.removeAll(keepingCapacity: true)
        let end = input.count
        var runStart = start
        var index = firstEscape
        while true {
            guard index < end else { throw endError() }
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                try checkStringLength(start: start, end: index)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<index]))
                position = index + 1
                return try scratch.withUnsafeBufferPointer { decoded in
                    Result { () throws(JSONError) in try makeString(decoded, rawStart: start) }
                }.get()
            } else if byte == UInt8(ascii: "\\") {
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<index]))
                index = try decodeEscape(at: index)
                runStart = index
            } else if byte < 0x20 {
                throw JSONError(offset: index, reason: .controlCharacterInString(byte))
            } else {
                index += 1
            }
        }
    }

    /// Appends the character escaped at `escape` (a backslash) to `scratch`; returns the offset after it.
    private mutating func decodeEscape(at escape: Int) throws(JSONError) -> Int {
        guard escape + 1 < input.count else { throw endError() }
        let simple: UInt8
        switch input[escape + 1] {
        case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): simple = UInt8(ascii: "/")
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): return try decodeUnicodeEscape(at: escape)
        default: throw JSONError(offset: escape, reason: .invalidEscape)
        }
        scratch.append(simple)
        return escape + 2
    }

    /// Decodes `\uXXXX`, or a `\uD8xx\uDCxx` surrogate pair, into UTF-8.
    private mutating func decodeUnicodeEscape(at escape: Int) throws(JSONError) -> Int {
        let unit = try readHexQuad(at: escape)
        var scalarValue = UInt32(unit)
        var next = escape + 6
        if 0xDC00...0xDFFF ~= unit {
            throw JSONError(offset: escape, reason: .loneSurrogate)
        }
        if 0xD800...0xDBFF ~= unit {
            // A high surrogate must be followed right away by `\u` and a low one.
            for (offset, expected) in [(0, UInt8(ascii: "\\")), (1, UInt8(ascii: "u"))] {
                guard next + offset < input.count else { throw endError() }
                guard input[next + offset] == expected else { throw JSONError(offset: escape, reason: .loneSurrogate) }
            }
            let low = try readHexQuad(at: next)
            guard 0xDC00...0xDFFF ~= low else { throw JSONError(offset: escape, reason: .loneSurrogate) }
            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            next += 6
        }
        // Surrogates are excluded above, so every remaining value is a valid scalar.
        guard let scalar = Unicode.Scalar(scalarValue) else { throw JSONError(offset: escape, reason: .loneSurrogate) }
        scratch.append(contentsOf: UTF8.encode(scalar)!)
        return next
    }

    /// The four hex digits after the `\u` at `escape`.
    private func readHexQuad(at escape: Int) throws(JSONError) -> UInt16 {
        var value: UInt16 = 0
        for index in escape + 2..<escape + 6 {
            guard index < input.count else { throw endError() }
            let byte = input[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONError(offset: escape, reason: .invalidUnicodeEscape)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private func checkStringLength(start: Int, end: Int) throws(JSONError) {
        if let limit = limits.maxStringBytes, end - start > limit {
            throw JSONError(offset: start - 1, reason: .stringTooLong(limit: limit))
        }
    }

    /// Builds the String once from validated UTF-8; an invalid byte is reported at its offset in the input.
    ///
    /// `String(validating:as:)` would do, but it is not specialized for UTF-8 buffers and spends most of its
    /// time in generic metadata lookups; ASCII needs no validation, and the rest goes through our validator.
    /// `String(decoding:)` then only copies (it would repair, but there is nothing left to repair).
    private func makeString(_ bytes: UnsafeBufferPointer<UInt8>, rawStart: Int) throws(JSONError) -> String {
        if !Self.isASCII(bytes) {
            if let bad = JSONUTF8Validation.firstInvalidOffset(in: bytes) {
                // Report the offset in the raw input: validate that instead (escapes are ASCII there).
                let raw = UnsafeBufferPointer(rebasing: input[rawStart..<position - 1])
                let rawBad = JSONUTF8Validation.firstInvalidOffset(in: raw) ?? bad
                throw JSONError(offset: rawStart + rawBad, reason: .invalidUTF8)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var index = 0
        var combined: UInt64 = 0
        while index &+ 8 <= bytes.count {
            combined |= UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            index &+= 8
        }
        while index < bytes.count {
            combined |= UInt64(bytes[index])
            index &+= 1
        }
        return combined & 0x8080_8080_8080_8080 == 0
    }
}
