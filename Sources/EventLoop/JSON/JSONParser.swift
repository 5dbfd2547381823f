/// Entry points of the JSON parser.
public enum JSON {
    /// Parses exactly one JSON document (RFC 8259, strict) with optional surrounding whitespace.
    ///
    /// Rejects trailing data, trailing commas, comments, leading zeros, NaN/Infinity, raw control characters
    /// in strings, lone surrogate escapes and invalid UTF-8. Nesting is parsed without recursion, so a hostile
    /// depth costs an error, never the stack. Numbers without fraction or exponent that fit `Int64` become
    /// `.int`, others `.double`; a number beyond Double's range is an error. For a key repeated within one
    /// object the last value wins (at the first key's position).
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

    /// Parses and validates one JSON document exactly as `parse(_:limits:)` does (the same errors), but keeps only
    /// the parts `keep` selects; the rest is checked and dropped, so a large document builds no tree.
    public static func parse<Bytes: Collection>(
        _ bytes: Bytes,
        keeping keep: JSONKeep,
        limits: JSONLimits = .default
    ) throws(JSONError) -> JSONValue where Bytes.Element == UInt8 {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONError) in try parse(buffer: buffer, limits: limits, keep: keep) }
        }
        if let contiguous {
            return try contiguous.get()
        }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONError) in try parse(buffer: buffer, limits: limits, keep: keep) }
        }.get()
    }

    /// Parses the UTF-8 of `text` as one JSON document; see `parse(_:limits:)`.
    public static func parse(_ text: String, limits: JSONLimits = .default) throws(JSONError) -> JSONValue {
        var text = text
        return try text.withUTF8 { buffer in
            Result { () throws(JSONError) in try parse(buffer: buffer, limits: limits) }
        }.get()
    }

    static func parse(
        buffer: UnsafeBufferPointer<UInt8>, limits: JSONLimits, keep: JSONKeep? = nil
    ) throws(JSONError) -> JSONValue {
        if let maxDocumentBytes = limits.maxDocumentBytes, buffer.count > maxDocumentBytes {
            throw JSONError(offset: maxDocumentBytes, reason: .documentTooLarge(limit: maxDocumentBytes))
        }
        var parser = JSONParser(input: buffer, limits: limits, keep: keep)
        return try parser.parseDocument()
    }
}

/// The parser proper: a cursor over contiguous bytes and an explicit stack of open containers.
struct JSONParser: ~Copyable {
    /// An open array or object. Its elements wait in `openElements` / `openMembers` from `start` on, so that
    /// the finished container is built once at its exact size instead of growing as it fills.
    private struct Frame {
        var isObject: Bool
        var start: Int
        var key = ""
        /// What happens to this container (always `.keepAll` without a `keep`).
        var rule = JSONKeep.Rule.keepAll
        /// What happens to the value of the member being parsed (objects), or to each element (arrays).
        var memberRule = JSONKeep.Rule.keepAll
    }

    let input: UnsafeBufferPointer<UInt8>
    let limits: JSONLimits
    /// The parts to keep; nil keeps everything.
    let keep: JSONKeep?
    var position = 0
    /// Reused by every string with escapes, so only the first one pays for the allocation.
    var scratch: [UInt8] = []
    /// Elements of every open array, innermost last.
    private var openElements = JSONMovingStack<JSONValue>()
    /// Members of every open object, innermost last.
    private var openMembers = JSONMovingStack<JSONObject.Member>()

    init(input: UnsafeBufferPointer<UInt8>, limits: JSONLimits, keep: JSONKeep? = nil) {
        self.input = input
        self.limits = limits
        self.keep = keep
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
        parsing: while true {
            // Read a value, or open a container and go round again for its first element.
            skipWhitespace()
            guard position < input.count else { throw endError() }
            var value: JSONValue
            // The rule for the value about to be read: from its container, or for the document itself.
            let rule = stack.last?.memberRule ?? (keep == nil ? .keepAll : .onPath(0))
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
                    stack.append(
                        Frame(
                            isObject: true, start: openMembers.count, key: key, rule: rule,
                            memberRule: memberRule(forKey: key, of: rule)))
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
                    stack.append(
                        Frame(
                            isObject: false, start: openElements.count, rule: rule,
                            memberRule: JSONKeep.rule(forElementOf: rule)))
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
                    // Moving the key and value in (swap, consume) spares a retain and release of each.
                    var key = ""
                    swap(&key, &stack[top].key)
                    if stack[top].memberRule != .drop {
                        openMembers.push(JSONObject.Member(key: key, value: consume value))
                    }
                    if byte == UInt8(ascii: ",") {
                        position += 1
                        skipWhitespace()
                        stack[top].key = try parseKey(expected: .objectKey)
                        stack[top].memberRule = memberRule(forKey: stack[top].key, of: stack[top].rule)
                        continue parsing
                    } else if byte == UInt8(ascii: "}") {
                        position += 1
                        let start = stack.removeLast().start
                        value = .object(JSONObject(members: openMembers.popArray(from: start)))
                    } else {
                        throw JSONError(offset: position, reason: .unexpectedByte(byte, expected: .commaOrEndOfObject))
                    }
                } else {
                    if stack[top].memberRule != .drop { openElements.push(consume value) }
                    if byte == UInt8(ascii: ",") {
                        position += 1
                        continue parsing
                    } else if byte == UInt8(ascii: "]") {
                        position += 1
                        let start = stack.removeLast().start
                        value = .array(openElements.popArray(from: start))
                    } else {
                        throw JSONError(offset: position, reason: .unexpectedByte(byte, expected: .commaOrEndOfArray))
                    }
                }
            }
            return value
        }
    }

    /// The rule for the value of member `key` in an object parsed under `rule`.
    private func memberRule(forKey key: String, of rule: JSONKeep.Rule) -> JSONKeep.Rule {
        guard let keep, rule != .keepAll else { return .keepAll }
        return keep.rule(forMember: key, of: rule)
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
