extension JSONValue {
    /// The compact JSON text (no whitespace) as UTF-8 bytes; see `serialize(into:)`.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        serialize(into: &output)
        return output
    }

    /// The compact JSON text as a String.
    public var jsonString: String {
        String(decoding: serialized(), as: UTF8.self)
    }

    /// Appends the compact JSON text to `output`, so a caller can reuse one buffer for many documents.
    ///
    /// Object keys come out in `JSONObject` order. Strings escape only what JSON requires ('"', '\\' and
    /// control characters; '/' and non-ASCII are written raw). Ints are exact; doubles use the shortest text
    /// that reads back to the same value, and an integral double keeps a ".0" (15.0), as the Mesos agent's
    /// rapidjson writes it, so it reads back as a double. NaN and infinities have no JSON form and are written
    /// as `null`.
    public func serialize(into output: inout [UInt8]) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: value ? "true".utf8 : "false".utf8)
        case .int(let value):
            JSONSerializer.write(value, into: &output)
        case .double(let value):
            JSONSerializer.write(value, into: &output)
        case .string(let value):
            JSONSerializer.write(value, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 {
                    output.append(UInt8(ascii: ","))
                }
                element.serialize(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in object {
                if !first {
                    output.append(UInt8(ascii: ","))
                }
                first = false
                JSONSerializer.write(key, into: &output)
                output.append(UInt8(ascii: ":"))
                value.serialize(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}

/// The scalar writers behind `JSONValue.serialize(into:)`.
enum JSONSerializer {
    static func write(_ value: Int64, into output: inout [UInt8]) {
        if value < 0 {
            output.append(UInt8(ascii: "-"))
        }
        // The magnitude as UInt64 so Int64.min needs no special case.
        var magnitude = value.magnitude
        let first = output.count
        repeat {
            output.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        output[first...].reverse()
    }

    static func write(_ value: Double, into output: inout [UInt8]) {
        guard value.isFinite else {
            output.append(contentsOf: "null".utf8)
            return
        }
        // Swift's description is the shortest round-trip form, "15.0" for integral values and "1e-07" /
        // "1e+16" at the extremes, all of which are valid JSON numbers.
        output.append(contentsOf: value.description.utf8)
    }

    static func write(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                // Copy the plain run before the byte in one go; most strings have no escapes at all.
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                appendEscape(for: byte, into: &output)
                runStart = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(for byte: UInt8, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        case 0x09: output.append(UInt8(ascii: "t"))
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            output.append(contentsOf: "u00".utf8)
            output.append(hex[Int(byte >> 4)])
            output.append(hex[Int(byte & 0xF)])
        }
    }
}
