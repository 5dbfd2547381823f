import EventLoop

/// One registry login from a Docker config file. Its description and its mirror (`dump`) never show the password
/// or token.
struct RegistryCredential: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    /// The entry's key in the file, e.g. `https://index.docker.io/v1/` or `registry.example.com:5000`.
    var serverAddress: String
    var username: String
    var password: String
    var identityToken: String?

    var description: String { "credential '\(username)' for \(serverAddress) (secret not shown)" }
    var customMirror: Mirror { Mirror(self, children: ["serverAddress": serverAddress, "username": username]) }

    /// The Engine's `X-Registry-Auth` header: URL-safe base64 of `{"username","password","serveraddress"}`.
    var registryAuthHeader: String {
        var object: JSONObject = [
            "username": .string(username), "password": .string(password), "serveraddress": .string(serverAddress),
        ]
        if let identityToken { object["identitytoken"] = .string(identityToken) }
        let standard = Base64.encode(JSONValue.object(object).serialized())
        return String(
            standard.map { character -> Character in
                switch character {
                case "+": "-"
                case "/": "_"
                default: character
                }
            })
    }
}

/// The registry logins found in a Docker config file, and the choice of one for an image.
struct RegistryCredentials: Sendable, Equatable {
    /// Which file format the bytes are in.
    enum Format: Sendable {
        /// `config.json`: `{"auths": {"<server>": {"auth": "<base64 user:pass>"}}}`.
        case configJSON
        /// The legacy `~/.dockercfg`: the `auths` map itself at the top level.
        case dockercfg
    }

    var entries: [RegistryCredential] = []
    /// The logins found by searching again with HOME=/root, looked in only when `entries` has no match.
    var rootRetryEntries: [RegistryCredential] = []

    /// The entries of a config file; `path` only names the file in errors. Credential helpers (`credsStore`,
    /// `credHelpers`) are not supported: their entries carry no secret and are skipped.
    static func parse(_ bytes: [UInt8], format: Format, path: String) throws(RegistryCredentialsError)
        -> RegistryCredentials
    {
        let document: JSONValue
        do {
            document = try JSON.parse(bytes)
        } catch {
            // Only the offset: the parser's message may quote bytes of the file, and the file holds secrets.
            throw .malformedFile(path: path, reason: "it is not valid JSON (error at byte \(error.offset))")
        }
        let map: JSONValue?
        switch format {
        case .configJSON: map = document["auths"]
        case .dockercfg: map = document
        }
        guard let map else { return RegistryCredentials() }
        guard let auths = map.objectValue else {
            throw .malformedFile(path: path, reason: "the registry logins are not a JSON object")
        }
        var credentials = RegistryCredentials()
        for (server, entry) in auths {
            if let credential = try parseEntry(entry, server: server, path: path) {
                credentials.entries.append(credential)
            }
        }
        return credentials
    }

    private static func parseEntry(_ entry: JSONValue, server: String, path: String) throws(RegistryCredentialsError)
        -> RegistryCredential?
    {
        var username = entry["username"]?.stringValue
        var password = entry["password"]?.stringValue
        if let auth = entry["auth"]?.stringValue, !auth.isEmpty {
            let decoded: [UInt8]
            do {
                decoded = try Base64.decode(auth)
            } catch {
                throw .invalidAuth(path: path, server: server, reason: "its 'auth' is not base64")
            }
            guard let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else {
                throw .invalidAuth(path: path, server: server, reason: "its 'auth' is not 'user:password'")
            }
            username = String(decoding: decoded[..<colon], as: UTF8.self)
            password = String(decoding: decoded[(colon + 1)...], as: UTF8.self)
        }
        let identityToken = entry["identitytoken"]?.stringValue
        guard let username, let password else {
            return identityToken.map {
                RegistryCredential(serverAddress: server, username: "", password: "", identityToken: $0)
            }
        }
        return RegistryCredential(
            serverAddress: server, username: username, password: password, identityToken: identityToken)
    }

    /// The login for the image's registry; else, like the original, the login stored under `fallbackServer`
    /// (EXECUTOR_DOCKER_REPOSITORY). The fallback is sent to whatever registry the image names, which is what the
    /// original did for every image; operators who mix registries should have one entry per registry.
    /// When neither is found, the same two lookups in the logins found under HOME=/root.
    func credential(for image: ImageReference, fallbackServer: String) -> RegistryCredential? {
        let registry = Self.normalizedHost(image.registry)
        let fallback = Self.normalizedHost(fallbackServer)
        for list in [entries, rootRetryEntries] {
            if let exact = list.first(where: { Self.normalizedHost($0.serverAddress) == registry }) { return exact }
            if let other = list.first(where: { Self.normalizedHost($0.serverAddress) == fallback }) { return other }
        }
        return nil
    }

    /// `https://index.docker.io/v1/` → `docker.io`, `http://reg:5000/` → `reg:5000`: the host[:port] a key names,
    /// with Docker Hub's aliases folded together.
    static func normalizedHost(_ server: String) -> String {
        var host = Substring(server.lowercased())
        for scheme in ["https://", "http://"] where host.hasPrefix(scheme) { host = host.dropFirst(scheme.count) }
        if let slash = host.firstIndex(of: "/") { host = host[..<slash] }
        switch host {
        case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com": return "docker.io"
        default: return String(host)
        }
    }
}

/// Why a Docker config file could not be used. Never includes a secret.
enum RegistryCredentialsError: Error, Equatable, CustomStringConvertible {
    case malformedFile(path: String, reason: String)
    case invalidAuth(path: String, server: String, reason: String)
    case unreadable(path: String, reason: String)

    var description: String {
        switch self {
        case .malformedFile(let path, let reason):
            "The Docker config file \(path) cannot be used: \(reason)."
        case .invalidAuth(let path, let server, let reason):
            "The login for \(server) in the Docker config file \(path) cannot be used: \(reason)."
        case .unreadable(let path, let reason):
            "The Docker config file \(path) cannot be read: \(reason)."
        }
    }
}
