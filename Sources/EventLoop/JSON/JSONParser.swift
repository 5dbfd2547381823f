/// Entry points of the JSON parser.
public enum JSON {
    /// Parses exactly one JSON document (RFC 8259, strict) with optional surrounding whitespace.
    ///
    /// Rejects trailing data, trailing commas, comments, leading zeros, NaN/Infinity, raw control characters
    /// in strings, lone surrogate escapes and invalid UTF-8. Nesting is parsed without recursion, so a hostile
    /// depth costs an error, never the stack.
    public static func parse<Bytes: Collection>(
        _ bytes: Bytes,
        limits: JSONLimits = .default
    ) throws(JSONError) -> JSONValue where Bytes.Element == UInt8 {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONError) in try parse(buffer: buffer, limits: limits) }
        }
        if let contiguous {
            return try contiguous.get()
        }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONError) in try parse(buffer: buffer, limits: limits) }
        }.get()
    }

    /// Parses the UTF-8 of `text` as one JSON document; see `parse(_:limits:)`.
    public static func parse(_ text: String, limits: JSONLimits = .default) throws(JSONError) -> JSONValue {
        var text = text
        return try text.withUTF8 { buffer in
            Result { () throws(JSONError) in try parse(buffer: buffer, limits: limits) }
        }.get()
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>, limits: JSONLimits) throws(JSONError) -> JSONValue {
        if let maxDocumentBytes = limits.maxDocumentBytes, buffer.count > maxDocumentBytes {
            throw JSONError(offset: maxDocumentBytes, reason: .documentTooLarge(limit: maxDocumentBytes))
        }
        var parser = JSONParser(input: buffer, limits: limits)
        return try parser.parseDocument()
    }
}

/// The parser proper: a cursor over contiguous bytes and an explicit stack of open containers.
struct JSONParser {
    /// An array or object being filled. One struct for both (rather than an enum) so the open container is
    /// mutated in place inside the stack instead of being copied out and back on every element.
    private struct Frame {
        var isObject: Bool
        var elements: [JSONValue] = []
        var members = JSONObject()
        var key = ""
    }

    let input: UnsafeBufferPointer<UInt8>
    let limits: JSONLimits
    var position = 0
    /// Reused by every string with escapes, so only the first one pays for the allocation.
    var scratch: [UInt8] = []

    init(input: UnsafeBufferPointer<UInt8>, limits: JSONLimits) {
        self.input = input
        self.limits = limits
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        let value = try parseValue()
        skipWhitespace()
        if position < input.count {
            throw JSONError(offset: position, reason: .trailingData(input[position]))
        }
        return value
    }

    /// Parses one value starting at the cursor (after optional whitespace) and leaves the cursor after it.
    mutating func parseValue() throws(JSONError) -> JSONValue {
        var stack: [Frame] = []
        while true {
            // Read a value, or open a container and go round again for its first element.
            skipWhitespace()
            guard position < input.count else { throw endError() }
            var value: JSONValue
            switch input[position] {
            case UInt8(ascii: "\""):
                value = .string(try parseString())
            case UInt8(ascii: "{"):
                try checkDepth(stack.count)
                position += 1
                skipWhitespace()
                if position < input.count && input[position] == UInt8(ascii: "}") {
                    position += 1
                    value = .object(JSONObject())
                } else {
                    let key = try parseKey(expected: .objectKeyOrEndOfObject)
                    stack.append(Frame(isObject: true, key: key))
                    continue
                }
            case UInt8(ascii: "["):
                try checkDepth(stack.count)
                position += 1
                skipWhitespace()
                if position < input.count && input[position] == UInt8(ascii: "]") {
                    position += 1
                    value = .array([])
                } else {
                    stack.append(Frame(isObject: false))
                    continue
                }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = try parseNumber()
            case UInt8(ascii: "t"):
                try parseLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try parseLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try parseLiteral("null")
                value = .null
            case let byte:
                throw JSONError(offset: position, reason: .unexpectedByte(byte, expected: .value))
            }

            // Hand the finished value to its container; a closing bracket finishes that one too.
            while let top = stack.indices.last {
                skipWhitespace()
                guard position < input.count else { throw endError() }
                let byte = input[position]
                if stack[top].isObject {
                    stack[top].members.setValue(value, forKey: stack[top].key)
                    if byte == UInt8(ascii: ",") {
                        position += 1
                        skipWhitespace()
                        stack[top].key = try parseKey(expected: .objectKey)
                        break
                    } else if byte == UInt8(ascii: "}") {
                        position += 1
                        value = .object(stack.removeLast().members)
                    } else {
                        throw JSONError(offset: position, reason: .unexpectedByte(byte, expected: .commaOrEndOfObject))
                    }
                } else {
                    stack[top].elements.append(value)
                    if byte == UInt8(ascii: ",") {
                        position += 1
                        break
                    } else if byte == UInt8(ascii: "]") {
                        position += 1
                        value = .array(stack.removeLast().elements)
                    } else {
                        throw JSONError(offset: position, reason: .unexpectedByte(byte, expected: .commaOrEndOfArray))
                    }
                }
            }
            if stack.isEmpty {
                return value
            }
        }
    }

    /// Parses `"key"` and the following ':' (the cursor is past leading whitespace).
    private mutating func parseKey(expected: JSONError.Expectation) throws(JSONError) -> String {
        guard position < input.count else { throw endError() }
        guard input[position] == UInt8(ascii: "\"") else {
            throw JSONError(offset: position, reason: .unexpectedByte(input[position], expected: expected))
        }
        let key = try parseString()
        skipWhitespace()
        guard position < input.count else { throw endError() }
        guard input[position] == UInt8(ascii: ":") else {
            throw JSONError(offset: position, reason: .unexpectedByte(input[position], expected: .colon))
        }
        position += 1
        return key
    }

    private mutating func parseLiteral(_ word: StaticString) throws(JSONError) {
        let count = word.utf8CodeUnitCount
        let bytes = UnsafeBufferPointer(start: word.utf8Start, count: count)
        for index in 0..<count {
            guard position < input.count else { throw endError() }
            guard input[position] == bytes[index] else {
                let expected = JSONError.Expectation.literal(String(describing: word))
                throw JSONError(offset: position, reason: .unexpectedByte(input[position], expected: expected))
            }
            position += 1
        }
    }

    private func checkDepth(_ openContainers: Int) throws(JSONError) {
        if openContainers >= limits.maxDepth {
            throw JSONError(offset: position, reason: .tooDeep(limit: limits.maxDepth))
        }
    }

    mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                position += 1
            default:
                return
            }
        }
    }

    func endError() -> JSONError {
        JSONError(offset: input.count, reason: .unexpectedEnd)
    }
}
