/// A service's status in Sidecar's catalog. The named values are Sidecar's; any other number can be
/// built with `init(rawValue:)` to test how a client copes with it.
public struct SidecarServiceStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    public static let alive = SidecarServiceStatus(rawValue: 0)
    public static let tombstone = SidecarServiceStatus(rawValue: 1)
    public static let unhealthy = SidecarServiceStatus(rawValue: 2)
    public static let unknown = SidecarServiceStatus(rawValue: 3)
    public static let draining = SidecarServiceStatus(rawValue: 4)

    /// Sidecar's display name; like Sidecar's `StatusString`, unknown numbers read as "Tombstone".
    public var description: String {
        switch rawValue {
        case 0: "Alive"
        case 2: "Unhealthy"
        case 3: "Unknown"
        case 4: "Draining"
        default: "Tombstone"
        }
    }
}

/// One published port of a service, as Sidecar lists it.
public struct SidecarPort: Sendable, Equatable {
    /// `tcp` or `udp`.
    public var type: String
    /// The port published on the host.
    public var port: Int
    /// The port from the `ServicePort_<n>` label, 0 without one.
    public var servicePort: Int
    public var ip: String

    public init(type: String = "tcp", port: Int, servicePort: Int = 0, ip: String) {
        self.type = type
        self.port = port
        self.servicePort = servicePort
        self.ip = ip
    }
}

/// One service instance (a container) in Sidecar's catalog, with the fields of Sidecar's `Service`.
public struct SidecarService: Sendable, Equatable {
    /// The first 12 characters of the container ID.
    public var id: String
    public var name: String
    public var image: String
    public var created: SidecarTimestamp
    /// The host whose Sidecar discovered the service.
    public var hostname: String
    public var ports: [SidecarPort]
    public var updated: SidecarTimestamp
    public var proxyMode: String
    public var status: SidecarServiceStatus

    public init(
        id: String, name: String, image: String, created: SidecarTimestamp, hostname: String, ports: [SidecarPort] = [],
        updated: SidecarTimestamp, proxyMode: String = "http", status: SidecarServiceStatus = .alive
    ) {
        self.id = id
        self.name = name
        self.image = image
        self.created = created
        self.hostname = hostname
        self.ports = ports
        self.updated = updated
        self.proxyMode = proxyMode
        self.status = status
    }

    /// The compact JSON object Sidecar writes for a service, keys in Sidecar's order.
    public var json: String {
        let ports = self.ports.map {
            "{\"Type\":\(GoJSON.quoted($0.type)),\"Port\":\($0.port),\"ServicePort\":\($0.servicePort),"
                + "\"IP\":\(GoJSON.quoted($0.ip))}"
        }
        return "{\"ID\":\(GoJSON.quoted(id)),\"Name\":\(GoJSON.quoted(name)),\"Image\":\(GoJSON.quoted(image)),"
            + "\"Created\":\"\(created)\",\"Hostname\":\(GoJSON.quoted(hostname)),"
            + "\"Ports\":[\(ports.joined(separator: ","))],\"Updated\":\"\(updated)\","
            + "\"ProxyMode\":\(GoJSON.quoted(proxyMode)),\"Status\":\(status.rawValue)}"
    }
}
