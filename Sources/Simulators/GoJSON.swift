/// The string quoting of the Go peers the simulators imitate, so that simulated bodies match real
/// ones byte for byte.
enum GoJSON {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A JSON string literal as Go's `encoding/json` writes it: besides `"`, `\` and control characters it
    /// escapes `<`, `>`, `&`, U+2028 and U+2029 (its HTML-safe default).
    static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "\"")]
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": bytes += Array("\\\"".utf8)
            case "\\": bytes += Array("\\\\".utf8)
            case "\n": bytes += Array("\\n".utf8)
            case "\r": bytes += Array("\\r".utf8)
            case "\t": bytes += Array("\\t".utf8)
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                bytes += unicodeEscape(scalar.value)
            default:
                if scalar.value < 0x20 {
                    bytes += unicodeEscape(scalar.value)
                } else {
                    bytes += Array(String(scalar).utf8)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Go's `%q` verb for a string: double quotes, with `"`, `\` and non-printable ASCII escaped.
    static func verbQ(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let value = Int(scalar.value)
                    result += "\\x" + String(decoding: [hexDigits[value >> 4], hexDigits[value & 15]], as: UTF8.self)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// Go's `json.Indent(dst, src, "", "  ")`, which `json.MarshalIndent` applies to compact JSON: a newline and
    /// the depth's indent after `{`, `[` and `,`, a space after `:`, and empty objects and arrays left as `{}`, `[]`.
    static func indented(_ compact: String) -> String {
        var out: [UInt8] = []
        var depth = 0
        var inString = false
        var escaped = false
        var needIndent = false
        func newline() {
            out.append(UInt8(ascii: "\n"))
            out += [UInt8](repeating: UInt8(ascii: " "), count: 2 * depth)
        }
        for byte in compact.utf8 {
            if inString {
                out.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            let closes = byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
            if needIndent && !closes {
                needIndent = false
                depth += 1
                newline()
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                out.append(byte)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                out.append(byte)
                needIndent = true
            case UInt8(ascii: ","):
                out.append(byte)
                newline()
            case UInt8(ascii: ":"):
                out += [byte, UInt8(ascii: " ")]
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if needIndent {
                    needIndent = false  // an empty container stays on one line
                } else {
                    depth -= 1
                    newline()
                }
                out.append(byte)
            default:
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Orders keys as Go does when it marshals a map: by their UTF-8 bytes.
    static func sortedKeys<Value>(_ dictionary: [String: Value]) -> [String] {
        dictionary.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private static func unicodeEscape(_ value: UInt32) -> [UInt8] {
        Array("\\u".utf8) + [12, 8, 4, 0].map { hexDigits[Int((value >> UInt32($0)) & 15)] }
    }
}
