import EventLoop

/// The simulated Vault's data and its answers, with no I/O: what `SimulatedVault` serves. Strict as the real one:
/// every route but a userpass login needs a live token (403 `{"errors":["permission denied"]}` otherwise), a missing
/// secret is 404 `{"errors":[]}`, a body that is not the JSON a route wants is 400, a route used with a method it does
/// not take is 405.
public struct VaultState: Sendable {
    public struct Token: Sendable, Equatable {
        public var expiresAt: Double
        public var policies: [String]

        public init(expiresAt: Double, policies: [String] = ["default"]) {
            self.expiresAt = expiresAt
            self.policies = policies
        }
    }

    public struct Lease: Sendable, Equatable {
        public var role: String
        public var expiresAt: Double
        public var revoked = false
    }

    /// userpass users and their passwords.
    public var users: [String: String] = [:]
    /// KV secrets by full path (e.g. `secret/db` for version 1, `kv/data/db` for version 2), each a JSON object
    /// answered as `data` (version 1) or `data.data` (version 2: a path containing `/data/`).
    public var secrets: [String: JSONObject] = [:]
    public var tokens: [String: Token] = [:]
    /// AWS roles served at `aws/creds/<role>`, with their lease duration in seconds.
    public var awsRoles: [String: Int] = [:]
    public var leases: [String: Lease] = [:]
    /// TTL of a login token until renewed.
    public var loginTTL = 2_764_800
    /// Longest a renewal may extend a lease or token.
    public var maxTTL = 2_764_800
    public var issued = 0

    public init() {}

    /// The answer to `method /v1/path` with `token` and `body` at time `now` (seconds): a status and a JSON body
    /// (nil for 204).
    public mutating func answer(method: String, path: String, token: String?, body: [UInt8], now: Double)
        -> (status: Int, body: JSONValue?)
    {
        let denied: (Int, JSONValue?) = (403, ["errors": ["permission denied"]])
        let writes = method == "PUT" || method == "POST"
        var json: JSONObject = [:]
        if writes && !body.isEmpty {
            guard let parsed = (try? JSON.parse(body))?.objectValue else {
                return (400, ["errors": ["failed to parse JSON input: invalid character in request body"]])
            }
            json = parsed
        }
        if path.hasPrefix("auth/userpass/login/") {
            guard writes else { return (405, ["errors": []]) }
            let user = String(path.dropFirst("auth/userpass/login/".count))
            guard let password = json["password"]?.stringValue, users[user] == password else {
                return (400, ["errors": ["invalid username or password"]])
            }
            return (200, ["auth": authBlock(for: mint(ttl: loginTTL, now: now), now: now)])
        }
        guard let token, let live = tokens[token], live.expiresAt > now else { return denied }
        switch (method, path) {
        case ("GET", "auth/token/lookup-self"):
            return (200, ["data": ["id": .string(token), "ttl": .int(Int64(live.expiresAt - now))]])
        case ("PUT", "auth/token/renew"), ("POST", "auth/token/renew"):
            guard let target = json["token"]?.stringValue, let found = tokens[target], found.expiresAt > now else {
                return (400, ["errors": ["token not found"]])
            }
            let increment = json["increment"]?.int64Value.map(Int.init) ?? loginTTL
            tokens[target]?.expiresAt = now + Double(min(increment, maxTTL))
            return (200, ["auth": authBlock(for: target, now: now)])
        case ("POST", "auth/token/lookup"), ("PUT", "auth/token/lookup"):
            guard let target = json["token"]?.stringValue, let found = tokens[target], found.expiresAt > now else {
                return (400, ["errors": ["bad token"]])
            }
            return (200, ["data": ["id": .string(target), "ttl": .int(Int64(found.expiresAt - now))]])
        case ("POST", "auth/token/revoke-self"), ("PUT", "auth/token/revoke-self"):
            tokens[token] = nil
            return (204, nil)
        case ("PUT", "sys/leases/renew"), ("POST", "sys/leases/renew"):
            guard let id = json["lease_id"]?.stringValue, let lease = leases[id], !lease.revoked, lease.expiresAt > now
            else { return (400, ["errors": ["lease not found or lease is not renewable"]]) }
            let increment = json["increment"]?.int64Value.map(Int.init) ?? awsRoles[lease.role] ?? 3600
            let duration = min(increment, maxTTL)
            leases[id]?.expiresAt = now + Double(duration)
            return (200, ["lease_id": .string(id), "lease_duration": .int(Int64(duration)), "renewable": true])
        case ("PUT", "sys/leases/revoke"), ("POST", "sys/leases/revoke"):
            guard let id = json["lease_id"]?.stringValue, leases[id] != nil else {
                return (400, ["errors": ["invalid request"]])
            }
            leases[id]?.revoked = true
            return (204, nil)
        case ("GET", _) where path.hasPrefix("aws/creds/"):
            let role = String(path.dropFirst("aws/creds/".count))
            guard let duration = awsRoles[role] else {
                return (400, ["errors": [.string("Role \"\(role)\" not found")]])
            }
            issued += 1
            let id = "aws/creds/\(role)/lease-\(issued)"
            leases[id] = Lease(role: role, expiresAt: now + Double(duration))
            let data: JSONValue = [
                "access_key": .string("AKIA-SIM-\(issued)"), "secret_key": .string("aws-secret-\(issued)"),
                "security_token": .string("aws-session-\(issued)"),
            ]
            return (
                200,
                ["lease_id": .string(id), "lease_duration": .int(Int64(duration)), "renewable": true, "data": data]
            )
        case ("GET", _):
            guard let fields = secrets[path] else { return (404, ["errors": []]) }
            if path.contains("/data/") {
                return (200, ["data": ["data": .object(fields), "metadata": ["version": 1]], "lease_duration": 0])
            }
            return (200, ["data": .object(fields), "lease_id": "", "lease_duration": 2_764_800, "renewable": false])
        default:
            return (405, ["errors": []])
        }
    }

    private mutating func mint(ttl: Int, now: Double) -> String {
        issued += 1
        let token = "s.simulated-token-\(issued)"
        tokens[token] = Token(expiresAt: now + Double(ttl), policies: ["default"])
        return token
    }

    private func authBlock(for token: String, now: Double) -> JSONValue {
        let ttl = Int64((tokens[token]?.expiresAt ?? now) - now)
        return [
            "client_token": .string(token), "accessor": "accessor", "policies": ["default"],
            "lease_duration": .int(ttl), "renewable": true,
        ]
    }
}
