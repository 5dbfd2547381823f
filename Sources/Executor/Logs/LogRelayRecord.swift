import EventLoop

/// One relayed record: the JSON object the UDP log relay sends for one line of container output, byte for byte as
/// the original executor's logrus JSON formatter wrote it (docs/log-relay.md). Pure: the clock and the time zone
/// offset are inputs.
struct LogRelayRecord: Sendable, Equatable {
    enum Level: String, Sendable {
        case info, error
    }

    /// The field names a Docker label cannot take: such a label becomes `fields.<name>`.
    static let reservedNames: Set<String> = ["Timestamp", "Level", "Payload"]

    var payload: String
    var level: Level
    var hostname: String
    /// The requested container labels present on the container, by name.
    var labels: [String: String]
    /// Seconds since the epoch (the fraction is dropped: whole seconds).
    var epochSeconds: Int
    /// The local time zone's offset from UTC at `epochSeconds`, in seconds.
    var utcOffset: Int

    /// The level of a container line: stderr lines mentioning "error" (any case) are errors, the rest info. The
    /// search compares bytes, as the original's `strings.Contains` does (and without _StringProcessing's search).
    static func level(of line: String, fromStderr: Bool) -> Level {
        fromStderr && ASCII.firstRange(of: "error", in: line.lowercased()[...]) != nil ? .error : .info
    }

    /// The datagram: a JSON object with its keys in byte order, ended by a newline.
    var datagram: [UInt8] {
        var fields: [String: String] = [:]
        for (name, value) in labels {
            fields[Self.reservedNames.contains(name) ? "fields." + name : name] = value
        }
        fields["Hostname"] = hostname
        fields["Level"] = level.rawValue
        fields["Payload"] = payload
        fields["Timestamp"] = Self.rfc3339(epochSeconds: epochSeconds, utcOffset: utcOffset)
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        for (index, key) in fields.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            Self.appendQuoted(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            Self.appendQuoted(fields[key] ?? "", to: &bytes)
        }
        bytes += Array("}\n".utf8)
        return bytes
    }

    /// RFC 3339 in local time, whole seconds: `2021-07-26T12:34:56Z` in UTC, `2021-07-26T14:34:56+02:00` elsewhere.
    static func rfc3339(epochSeconds: Int, utcOffset: Int) -> String {
        let text = CivilDate.dateTimeText(secondsSinceEpoch: Int64(epochSeconds + utcOffset))
        guard utcOffset != 0 else { return text + "Z" }
        let minutes = Int64(abs(utcOffset) / 60)
        return text + (utcOffset < 0 ? "-" : "+")
            + "\(CivilDate.padded(minutes / 60, 2)):\(CivilDate.padded(minutes % 60, 2))"
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A JSON string as Go's encoding/json writes it by default: `"` and `\` escaped, `\n` `\r` `\t` by name,
    /// other control characters, `<`, `>`, `&`, U+2028 and U+2029 as `\u00XX` (its HTML-safe escaping).
    static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case "\\": bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case "\n": bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case "\r": bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case "\t": bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                appendEscape(scalar.value, to: &bytes)
            default:
                if scalar.value < 0x20 {
                    appendEscape(scalar.value, to: &bytes)
                } else {
                    bytes += Array(String(scalar).utf8)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u")]
        for shift: UInt32 in [12, 8, 4, 0] { bytes.append(hexDigits[Int((value >> shift) & 15)]) }
    }
}
