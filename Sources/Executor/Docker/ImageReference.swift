/// A Docker image reference (`[registry/]path[:tag][@digest]`) split the way the Docker CLI splits it.
///
/// The original executor took everything after the first `:` as the version, which breaks on
/// `registry:5000/img:tag` (version `5000/img:tag`); here the tag is only looked for after the last `/`.
struct ImageReference: Sendable, Equatable, CustomStringConvertible {
    /// The registry the engine pulls from; `docker.io` when the reference names none.
    let registry: String
    /// The repository path inside the registry (`library/busybox` for Docker Hub's official images).
    let repository: String
    /// The name as written, without tag and digest (what the Engine's pull calls `fromImage`).
    let name: String
    let tag: String?
    /// `algorithm:hex`, e.g. `sha256:92a7…`.
    let digest: String?
    /// The reference exactly as the task gave it.
    let text: String

    /// Docker's limit on the length of a repository name.
    static let maxNameLength = 255

    var description: String { text }

    /// What the task's `SERVICE_VERSION` is: the tag, else the digest, else Docker's implied `latest`.
    var version: String { tag ?? digest ?? "latest" }

    /// The `tag` parameter of the Engine's pull (it takes a tag or a digest).
    var pullTag: String { digest ?? tag ?? "latest" }

    /// The key of the registry's entry in a Docker config file's `auths`.
    var credentialServerAddress: String {
        registry == "docker.io" ? "https://index.docker.io/v1/" : registry
    }

    init(parsing text: String) throws(ImageReferenceError) {
        guard !text.isEmpty else { throw .empty }
        if let bad = text.unicodeScalars.first(where: { $0.value <= 0x20 || $0.value >= 0x7F }) {
            throw .invalidCharacter(text, scalar: bad.value)
        }
        self.text = text
        var remainder = Substring(text)
        if let at = remainder.firstIndex(of: "@") {
            let digest = String(remainder[remainder.index(after: at)...])
            guard Self.isValidDigest(digest) else { throw .invalidDigest(text) }
            self.digest = digest
            remainder = remainder[..<at]
        } else {
            digest = nil
        }
        // A ':' after the last '/' starts the tag; one before it belongs to a registry's port.
        let lastSlash = remainder.lastIndex(of: "/") ?? remainder.startIndex
        if let colon = remainder[lastSlash...].lastIndex(of: ":") {
            let tag = String(remainder[remainder.index(after: colon)...])
            guard Self.isValidTag(tag) else { throw .invalidTag(text) }
            self.tag = tag
            remainder = remainder[..<colon]
        } else {
            tag = nil
        }
        guard !remainder.isEmpty, remainder.count <= Self.maxNameLength else { throw .invalidName(text) }
        name = String(remainder)
        var components = remainder.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if components.count > 1, Self.isRegistryComponent(components[0]) {
            registry = components.removeFirst()
            guard Self.isValidRegistry(registry) else { throw .invalidName(text) }
        } else {
            registry = "docker.io"
            if components.count == 1 { components.insert("library", at: 0) }
        }
        guard components.allSatisfy(Self.isValidPathComponent) else { throw .invalidName(text) }
        repository = components.joined(separator: "/")
    }

    // MARK: - Grammar (distribution/reference)

    /// Docker's rule: the first component is a registry when it has a '.' or ':', is `localhost`, or has uppercase.
    private static func isRegistryComponent(_ component: String) -> Bool {
        component.contains(".") || component.contains(":") || component == "localhost"
            || component.lowercased() != component
    }

    private static func isValidRegistry(_ registry: String) -> Bool {
        let parts = registry.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty else { return false }
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65535).contains(port) else { return false }
        }
        return parts[0].utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`.
    private static func isValidPathComponent(_ component: String) -> Bool {
        let bytes = Array(component.utf8)
        guard let first = bytes.first, let last = bytes.last else { return false }
        guard isLowerAlphanumeric(first), isLowerAlphanumeric(last) else { return false }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if isLowerAlphanumeric(byte) {
                index += 1
                continue
            }
            var end = index
            while end < bytes.count, !isLowerAlphanumeric(bytes[end]) { end += 1 }
            let separator = String(decoding: bytes[index..<end], as: UTF8.self)
            guard separator == "." || separator == "_" || separator == "__" || separator.allSatisfy({ $0 == "-" })
            else { return false }
            index = end
        }
        return true
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    private static func isValidTag(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first, bytes.count <= 128 else { return false }
        guard isAlphanumeric(first) || first == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
    }

    /// `algorithm:hex` with at least 32 hex digits.
    private static func isValidDigest(_ digest: String) -> Bool {
        let parts = digest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let algorithmStart = parts[0].utf8.first, isAlpha(algorithmStart) else { return false }
        let algorithmOK = parts[0].utf8.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "+")
                || $0 == UInt8(ascii: ".")
        }
        return algorithmOK && parts[1].utf8.count >= 32 && parts[1].utf8.allSatisfy(isHexDigit)
    }

    private static func isAlpha(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool { isAlpha(byte) || isDigit(byte) }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}

/// Why a string is not a Docker image reference.
enum ImageReferenceError: Error, Equatable, CustomStringConvertible {
    case empty
    /// The reference holds a blank, control or non-ASCII character (its code point).
    case invalidCharacter(String, scalar: UInt32)
    /// The repository name breaks Docker's grammar (lowercase components, a valid registry host and port).
    case invalidName(String)
    case invalidTag(String)
    case invalidDigest(String)

    var description: String {
        switch self {
        case .empty:
            "The image reference is empty."
        case .invalidCharacter(let text, let scalar):
            "The image reference \(text.debugDescription) contains the character U+\(Self.hex4(scalar)), which Docker "
                + "does not allow."
        case .invalidName(let text):
            "The image reference '\(text)' has an invalid repository name (Docker wants lowercase letters, digits "
                + "and separators, after an optional registry host[:port])."
        case .invalidTag(let text):
            "The image reference '\(text)' has an invalid tag (at most 128 letters, digits, '_', '.' or '-')."
        case .invalidDigest(let text):
            "The image reference '\(text)' has an invalid digest (expected algorithm:hex, e.g. sha256:...)."
        }
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
