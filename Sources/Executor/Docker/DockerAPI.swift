import EventLoop

/// The Engine API as this executor uses it: request targets, version negotiation and response decoding. Pure, so
/// every exchange recorded from a real engine (docs/docker-engine.md lists them) can be a test.
enum DockerAPI {
    /// An Engine API version such as 1.41.
    struct Version: Sendable, Comparable, CustomStringConvertible {
        var major: Int
        var minor: Int

        init(_ major: Int, _ minor: Int) {
            self.major = major
            self.minor = minor
        }

        /// Parses `1.41`; nil for anything else.
        init?(parsing text: String) {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isASCIIDigit) }),
                let major = Int(parts[0]), let minor = Int(parts[1])
            else { return nil }
            self.init(major, minor)
        }

        var description: String { "\(major).\(minor)" }

        static func < (lhs: Version, rhs: Version) -> Bool { (lhs.major, lhs.minor) < (rhs.major, rhs.minor) }
    }

    /// What this executor is written against (Debian 12's docker.io 20.10).
    static let preferredVersion = Version(1, 41)
    /// `wait?condition=next-exit` appeared in 1.30.
    static let minimumVersion = Version(1, 30)

    /// The version to speak given `/_ping`'s `Api-Version` header: ours, or the server's when it is older.
    static func negotiate(serverVersion header: String?) throws(DockerError) -> Version {
        guard let header else { return preferredVersion }
        guard let server = Version(parsing: header) else {
            throw .malformedResponse("the Api-Version header '\(header.prefix(32))' is not a version")
        }
        guard server >= minimumVersion else { throw .unsupportedAPIVersion(server.description) }
        return min(server, preferredVersion)
    }

    // MARK: - Targets

    static func imageInspect(_ image: ImageReference) -> String {
        "/images/\(percentEncoded(image.text, keeping: "/:@"))/json"
    }

    static func pull(_ image: ImageReference) -> String {
        "/images/create?fromImage=\(percentEncoded(image.name))&tag=\(percentEncoded(image.pullTag))"
    }

    static func create(name: String) -> String { "/containers/create?name=\(percentEncoded(name))" }

    static func wait(_ id: String, condition: WaitCondition) -> String {
        "/containers/\(percentEncoded(id))/wait?condition=\(condition.rawValue)"
    }

    static func start(_ id: String) -> String { "/containers/\(percentEncoded(id))/start" }

    static func inspect(_ id: String) -> String { "/containers/\(percentEncoded(id))/json" }

    /// The API takes whole seconds; rounding up never cuts a grace period short.
    static func stop(_ id: String, grace: Duration) -> String {
        "/containers/\(percentEncoded(id))/stop?t=\(wholeSecondsRoundingUp(grace))"
    }

    static func kill(_ id: String) -> String { "/containers/\(percentEncoded(id))/kill?signal=SIGKILL" }

    static func remove(_ id: String) -> String { "/containers/\(percentEncoded(id))?force=1&v=1" }

    /// With `since` (seconds since the epoch), only output the engine logged from then on: re-attaching after the
    /// stream broke replays nothing that already arrived.
    static func logs(_ id: String, since: Double? = nil) -> String {
        let path = "/containers/\(percentEncoded(id))/logs?follow=1&stdout=1&stderr=1&timestamps=0"
        return since.map { path + "&since=\(epochParameter($0))" } ?? path
    }

    /// `1795601784.480757885`: the engine's fractional Unix time, to the nanosecond.
    static func epochParameter(_ seconds: Double) -> String {
        // The time comes from the engine: clamped, so that a nonsensical one cannot trap in the conversion.
        let clamped = min(max(0, seconds), 1e15)
        let whole = Int64(clamped)
        let nanoseconds = min(999_999_999, max(0, Int64((clamped - Double(whole)) * 1e9)))
        let digits = String(nanoseconds)
        return "\(whole)." + String(repeating: "0", count: 9 - digits.count) + digits
    }

    static func wholeSecondsRoundingUp(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        return attoseconds > 0 ? seconds + 1 : seconds
    }

    /// RFC 3986 percent-encoding of everything but unreserved characters and `keeping`.
    static func percentEncoded(_ text: String, keeping: String = "") -> String {
        let kept = Set(keeping.utf8)
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            let unreserved =
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "~")
            if unreserved || kept.contains(byte) {
                bytes.append(byte)
            } else {
                bytes += [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Responses

    /// The most an error message may take in a status update or log line.
    static let maxMessageBytes = 2048

    /// The engine's error: `{"message": ...}` as Docker always sends, else the body's text, bounded.
    static func errorMessage(from body: [UInt8], status: Int) -> String {
        if let message = (try? JSON.parse(body))?["message"]?.stringValue {
            return bounded(message)
        }
        let text = bounded(String(decoding: body, as: UTF8.self)).trimmingBlanks()
        return text.isEmpty ? "HTTP status \(status) with no message" : text
    }

    private static func bounded(_ text: String) -> String {
        guard text.utf8.count > maxMessageBytes else { return text }
        return String(decoding: text.utf8.prefix(maxMessageBytes), as: UTF8.self) + "..."
    }

    /// The id from create's `{"Id": ..., "Warnings": [...]}`.
    static func createdID(from body: [UInt8]) throws(DockerError) -> String {
        guard let id = try parse(body, what: "the create answer")["Id"]?.stringValue, !id.isEmpty else {
            throw .malformedResponse("the create answer has no Id")
        }
        return id
    }

    /// The wait's `{"Error": null | {"Message": ...}, "StatusCode": N}`.
    static func exit(from body: [UInt8]) throws(DockerError) -> ContainerExit {
        let document = try parse(body, what: "the wait answer")
        guard let code = document["StatusCode"]?.int64Value, let statusCode = Int(exactly: code) else {
            throw .malformedResponse("the wait answer has no StatusCode")
        }
        let message = document["Error"]?["Message"]?.stringValue
        return ContainerExit(statusCode: statusCode, errorMessage: message.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// The id and every non-empty address from an inspect (`NetworkSettings.IPAddress` and each network's).
    static func details(from body: [UInt8]) throws(DockerError) -> ContainerDetails {
        let document = try parse(body, what: "the inspect answer")
        guard let id = document["Id"]?.stringValue else { throw .malformedResponse("the inspect answer has no Id") }
        var addresses: [String] = []
        let settings = document["NetworkSettings"]
        var candidates = [settings?["IPAddress"]?.stringValue]
        for (_, network) in settings?["Networks"]?.objectValue ?? [:] {
            candidates.append(network["IPAddress"]?.stringValue)
        }
        for case let address? in candidates where !address.isEmpty && !addresses.contains(address) {
            addresses.append(address)
        }
        let oomKilled = document["State"]?["OOMKilled"]?.boolValue ?? false
        return ContainerDetails(id: id, ipAddresses: addresses, oomKilled: oomKilled)
    }

    private static func parse(_ body: [UInt8], what: String) throws(DockerError) -> JSONValue {
        do {
            return try JSON.parse(body)
        } catch {
            throw .malformedResponse("\(what) is not JSON (\(error))")
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
