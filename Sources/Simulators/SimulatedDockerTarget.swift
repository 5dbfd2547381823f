/// A request target as the Docker engine's router reads it: an optional `/v1.xx` version prefix, the path's
/// segments percent-decoded, and the query's parameters. Pure, so routing can be tested without a socket.
struct SimulatedDockerTarget: Sendable, Equatable {
    /// The version the client asked for, e.g. (1, 41); nil without a prefix (the engine's own version).
    var version: (major: Int, minor: Int)?
    var segments: [String]
    var query: [String: String]

    static func == (lhs: SimulatedDockerTarget, rhs: SimulatedDockerTarget) -> Bool {
        lhs.version?.major == rhs.version?.major && lhs.version?.minor == rhs.version?.minor
            && lhs.segments == rhs.segments && lhs.query == rhs.query
    }

    /// Nil when a `/v...` prefix is not `v<digits>.<digits>`: the router matches no route (404).
    init?(path: String, query text: String?) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        version = nil
        if let first = parts.first, first.hasPrefix("v"), first.dropFirst().allSatisfy({ $0.isNumber || $0 == "." }) {
            let numbers = first.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
            guard numbers.count == 2, let major = Int(numbers[0]), let minor = Int(numbers[1]) else { return nil }
            version = (major, minor)
            parts.removeFirst()
        }
        segments = parts.map { Self.percentDecoded($0) }
        query = [:]
        for pair in (text ?? "").split(separator: "&") {
            let (key, value) =
                pair.firstIndex(of: "=").map { (pair[..<$0], pair[pair.index(after: $0)...]) } ?? (pair, "")
            let name = Self.percentDecoded(String(key), plusIsSpace: true)
            // Go's url.Values.Get returns the first value of a repeated parameter.
            if query[name] == nil { query[name] = Self.percentDecoded(String(value), plusIsSpace: true) }
        }
    }

    /// Go's `httputils.BoolValue`: anything but "", "0", "no", "false" and "none" is true.
    func flag(_ name: String) -> Bool {
        guard let value = query[name]?.lowercased() else { return false }
        return !["", "0", "no", "false", "none"].contains(value)
    }

    /// `%XX` sequences decoded; a malformed one is kept as it is.
    static func percentDecoded(_ text: String, plusIsSpace: Bool = false) -> String {
        let bytes = Array(text.utf8)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = SimulatorASCII.hexValue(bytes[index + 1]),
                let low = SimulatorASCII.hexValue(bytes[index + 2])
            {
                decoded.append(UInt8(high * 16 + low))
                index += 3
            } else {
                decoded.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }
}
