/// A container environment value that names a Vault secret: `vault://H/P?key=K` means the field K (default
/// `value`) of the secret read with `GET /v1/H/P`. The query is not forwarded to Vault.
struct VaultReference: Equatable, Sendable {
    static let scheme = "vault://"

    /// `H/P`: the Vault path after /v1/.
    var path: String
    var key: String

    /// Whether the value is a Vault reference at all (and must therefore be resolved, never passed on).
    static func isReference(_ value: String) -> Bool { value.hasPrefix(scheme) }

    /// Parses a value that `isReference`; the reason in words when it cannot name a secret.
    init(parsing value: String) throws(VaultError) {
        var rest = Substring(value.dropFirst(Self.scheme.count))
        var key = "value"
        if let question = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: question)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if parts.count == 2, parts[0] == "key" { key = String(parts[1]) }
            }
            rest = rest[..<question]
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.hasPrefix("/") else { throw VaultError("the reference names no Vault path") }
        guard !key.isEmpty else { throw VaultError("the reference's key is empty") }
        // Only characters a Vault path uses: nothing that could change the request line.
        let allowed = rest.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "+")
        }
        guard allowed, !rest.split(separator: "/").contains("..") else {
            throw VaultError("the Vault path '\(rest)' has characters a Vault path cannot have")
        }
        self.path = String(rest)
        self.key = key
    }
}

/// A Vault failure as the end of a sentence; never holds a secret, a token or a password.
struct VaultError: Error, Equatable, Sendable, CustomStringConvertible {
    var message: String
    /// The HTTP status Vault answered, if it answered.
    var status: Int?

    init(_ message: String, status: Int? = nil) {
        self.message = message
        self.status = status
    }

    var description: String { message }
}
