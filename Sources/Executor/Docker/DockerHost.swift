import EventLoop

/// Where the Docker engine listens, from DOCKER_HOST as the Docker CLI reads it: `unix:///path` (the default,
/// `/var/run/docker.sock`) or `tcp://host[:port]` (port 2375). TLS (`DOCKER_TLS_VERIFY`) is not supported: a plain
/// connection to a TLS port would only fail obscurely, so it is refused up front.
enum DockerHost {
    static let defaultSocket = "/var/run/docker.sock"
    static let defaultTCPPort: UInt16 = 2375

    static func endpoint(environment: [String: String]) throws(DockerError) -> Endpoint {
        if let verify = environment["DOCKER_TLS_VERIFY"], !verify.isEmpty, verify != "0" {
            throw .invalidHost("DOCKER_TLS_VERIFY is set, but this executor speaks plain HTTP to the engine")
        }
        guard let host = environment["DOCKER_HOST"], !host.isEmpty else { return .unix(path: defaultSocket) }
        if host.hasPrefix("unix://") {
            do {
                return try Endpoint(parsing: host)
            } catch {
                throw .invalidHost("'\(host)': \(error)")
            }
        }
        guard host.hasPrefix("tcp://") else {
            throw .invalidHost("'\(host)' is neither unix:///path nor tcp://host:port")
        }
        var address = host.dropFirst("tcp://".count)
        if address.hasSuffix("/") { address = address.dropLast() }
        let hasPort = address.hasPrefix("[") ? address.contains("]:") : address.contains(":")
        let text = hasPort ? "tcp://\(address)" : "tcp://\(address):\(defaultTCPPort)"
        do {
            return try Endpoint(parsing: text)
        } catch {
            throw .invalidHost("'\(host)': \(error)")
        }
    }
}
