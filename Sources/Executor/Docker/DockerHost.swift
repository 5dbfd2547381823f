import EventLoop

/// Where the Docker engine listens and how to reach it, from the environment as the Docker CLI reads it:
/// DOCKER_HOST `unix:///path` (the default, `/var/run/docker.sock`) or `tcp://host[:port]` (port 2375, or 2376 with
/// TLS); DOCKER_TLS_VERIFY set to any non-empty value (as the CLI, "0" included) turns on TLS with the engine's
/// certificate verified against DOCKER_CERT_PATH's `ca.pem` and `cert.pem`/`key.pem` presented as the client's
/// (DOCKER_CERT_PATH defaults to `$HOME/.docker`).
enum DockerHost {
    static let defaultSocket = "/var/run/docker.sock"
    static let defaultTCPPort: UInt16 = 2375
    static let defaultTLSPort: UInt16 = 2376

    static func endpoint(environment: [String: String]) throws(DockerError) -> Endpoint {
        try connection(environment: environment).endpoint
    }

    /// The engine's endpoint and, when DOCKER_TLS_VERIFY is set, the TLS settings for it (the files are only
    /// named here; `TLSContext.make` reads them).
    static func connection(environment: [String: String]) throws(DockerError) -> (
        endpoint: Endpoint, tls: TLSSettings?
    ) {
        var tls: TLSSettings?
        if let verify = environment["DOCKER_TLS_VERIFY"], !verify.isEmpty {
            var directory = environment["DOCKER_CERT_PATH"] ?? ""
            if directory.isEmpty { directory = (environment["HOME"] ?? "/root") + "/.docker" }
            if directory.hasSuffix("/") { directory.removeLast() }
            tls = TLSSettings(
                caFile: directory + "/ca.pem", certificateFile: directory + "/cert.pem", keyFile: directory + "/key.pem"
            )
        }
        guard let host = environment["DOCKER_HOST"], !host.isEmpty else { return (.unix(path: defaultSocket), tls) }
        if host.hasPrefix("unix://") {
            do {
                return (try Endpoint(parsing: host), tls)
            } catch {
                throw .invalidHost("'\(host)': \(error)")
            }
        }
        guard host.hasPrefix("tcp://") else {
            throw .invalidHost("'\(host)' is neither unix:///path nor tcp://host:port")
        }
        var address = host.dropFirst("tcp://".count)
        if address.hasSuffix("/") { address = address.dropLast() }
        let hasPort =
            address.hasPrefix("[")
            ? ASCII.firstRange(of: "]:", in: address[...]) != nil : address.contains(":" as Character)
        let port = tls == nil ? defaultTCPPort : defaultTLSPort
        let text = hasPort ? "tcp://\(address)" : "tcp://\(address):\(port)"
        do {
            return (try Endpoint(parsing: text), tls)
        } catch {
            throw .invalidHost("'\(host)': \(error)")
        }
    }
}
