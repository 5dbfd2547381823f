import EventLoop

/// Reading Vault's JSON answers, with no I/O: the secret's field (KV version 1 or 2), a login's token, a lease.
enum VaultAnswer {
    /// Vault's `{"errors": [...]}` joined, for messages (Vault's own words; they never contain secrets).
    static func errors(in body: JSONValue?) -> String {
        let texts = body?["errors"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return texts.isEmpty ? "no detail" : texts.joined(separator: "; ")
    }

    /// The string field `key` of a secret read at `path`: `data[key]` for a KV version 1 mount, `data.data[key]` for
    /// version 2 (whose answer wraps the fields beside `metadata`).
    static func secretField(status: Int, body: JSONValue?, path: String, key: String) -> Result<String, VaultError> {
        guard status == 200 else {
            if status == 404 { return .failure(VaultError("Vault has no secret at \(path) (404)", status: status)) }
            return .failure(VaultError("Vault answered \(status) for \(path): \(errors(in: body))", status: status))
        }
        guard var data = body?["data"]?.objectValue else {
            return .failure(VaultError("Vault's answer for \(path) has no data object"))
        }
        if let inner = data["data"]?.objectValue, data["metadata"] != nil { data = inner }
        guard let field = data[key] else {
            return .failure(VaultError("the secret at \(path) has no key '\(key)'"))
        }
        guard let text = field.stringValue else {
            return .failure(VaultError("the key '\(key)' of the secret at \(path) is not a string"))
        }
        return .success(text)
    }

    /// `auth.client_token` of a login or renewal answer.
    static func clientToken(status: Int, body: JSONValue?, what: String) -> Result<String, VaultError> {
        guard status == 200 else {
            return .failure(VaultError("\(what) was refused (\(status)): \(errors(in: body))", status: status))
        }
        guard let token = body?["auth"]?["client_token"]?.stringValue, !token.isEmpty else {
            return .failure(VaultError("\(what): Vault's answer has no auth.client_token"))
        }
        return .success(token)
    }

    /// A lease: its id and duration in seconds.
    struct Lease: Equatable, Sendable {
        var id: String
        var duration: Int
        var renewable: Bool
    }

    static func lease(in body: JSONValue?) -> Lease? {
        guard let id = body?["lease_id"]?.stringValue, !id.isEmpty,
            let duration = body?["lease_duration"]?.int64Value
        else { return nil }
        return Lease(id: id, duration: Int(duration), renewable: body?["renewable"]?.boolValue ?? false)
    }
}
