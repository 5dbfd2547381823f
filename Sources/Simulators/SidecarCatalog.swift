/// Sidecar's catalog (its `ServicesState`): services grouped by the host that discovered them, with the
/// bookkeeping times Sidecar keeps, and the exact JSON `/state.json` serves.
///
/// The update rules follow Sidecar's `AddServiceEntry`: any update moves the server's `LastUpdated`;
/// only a new service or a status change moves `LastChanged` (the server's and the catalog's).
public struct SidecarCatalog: Sendable, Equatable {
    /// One host's entry.
    public struct Server: Sendable, Equatable {
        public var name: String
        /// Keyed by service ID.
        public var services: [String: SidecarService]
        public var lastUpdated: SidecarTimestamp
        public var lastChanged: SidecarTimestamp
    }

    /// Keyed by hostname.
    public var servers: [String: Server] = [:]
    public var lastChanged = SidecarTimestamp.epoch
    public var clusterName: String
    /// The local Sidecar's own hostname: the top-level `Hostname`, and the only host it drains services on.
    public var hostname: String

    public init(hostname: String, clusterName: String = "default") {
        self.hostname = hostname
        self.clusterName = clusterName
    }

    /// The service with `id` on any host.
    public func service(id: String) -> SidecarService? {
        for server in servers.values {
            if let service = server.services[id] { return service }
        }
        return nil
    }

    /// The service with `id` on this Sidecar's own host, the only one `drain` may touch.
    public func localService(id: String) -> SidecarService? {
        servers[hostname]?.services[id]
    }

    /// Adds `service` or replaces the entry with its ID, updating the bookkeeping times from `service.updated`.
    public mutating func upsert(_ service: SidecarService) {
        if let host = hostOfService(id: service.id), host != service.hostname {
            remove(id: service.id)
        }
        var server =
            servers[service.hostname]
            ?? Server(name: service.hostname, services: [:], lastUpdated: .epoch, lastChanged: .epoch)
        let previous = server.services[service.id]
        server.services[service.id] = service
        server.lastUpdated = service.updated
        if previous?.status != service.status {
            server.lastChanged = service.updated
            lastChanged = service.updated
        }
        servers[service.hostname] = server
    }

    /// Records a check result: sets the status and `Updated` to `time`. As in Sidecar, an ALIVE result
    /// does not replace DRAINING (an UNHEALTHY one does); returns false when nothing changed for that
    /// reason or because `id` is unknown.
    @discardableResult
    public mutating func applyStatus(_ status: SidecarServiceStatus, id: String, at time: SidecarTimestamp) -> Bool {
        guard var service = service(id: id) else { return false }
        if service.status == .draining && status == .alive { return false }
        service.status = status
        service.updated = time
        upsert(service)
        return true
    }

    /// Removes the service (as when Sidecar finally expires a tombstone); empty hosts disappear too.
    @discardableResult
    public mutating func remove(id: String) -> SidecarService? {
        guard let host = hostOfService(id: id) else { return nil }
        let removed = servers[host]?.services.removeValue(forKey: id)
        if servers[host]?.services.isEmpty == true { servers[host] = nil }
        return removed
    }

    private func hostOfService(id: String) -> String? {
        servers.first { $0.value.services[id] != nil }?.key
    }

    /// Every instance named `name`, on every host (hosts and IDs in bytewise order, where real Sidecar walks its maps
    /// in random order).
    public func instances(named name: String) -> [SidecarService] {
        GoJSON.sortedKeys(servers).flatMap { host in
            let services = servers[host]!.services
            return GoJSON.sortedKeys(services).map { services[$0]! }.filter { $0.name == name }
        }
    }

    /// The body of `/api/services/<name>.json` when `name` has instances: Sidecar's `ApiServices` (`Services` with
    /// the one name, no `ClusterMembers`, `ClusterName`) through Go's `json.MarshalIndent`, two spaces deep.
    public func servicesJSON(named name: String) -> String {
        let instances = instances(named: name).map(\.json).joined(separator: ",")
        return GoJSON.indented(
            "{\"Services\":{\(GoJSON.quoted(name)):[\(instances)]},\"ClusterName\":\(GoJSON.quoted(clusterName))}")
    }

    /// The compact JSON of `/state.json`: struct fields in Sidecar's order, map keys sorted bytewise.
    ///
    /// Real Sidecar encodes with ffjson, which walks Go maps in random order; sorted keys keep tests
    /// deterministic, and a client must not depend on either order.
    public var json: String {
        let servers = GoJSON.sortedKeys(self.servers).map { name -> String in
            let server = self.servers[name]!
            let services = GoJSON.sortedKeys(server.services).map {
                "\(GoJSON.quoted($0)):\(server.services[$0]!.json)"
            }
            return "\(GoJSON.quoted(name)):{\"Name\":\(GoJSON.quoted(server.name)),"
                + "\"Services\":{\(services.joined(separator: ","))},"
                + "\"LastUpdated\":\"\(server.lastUpdated)\",\"LastChanged\":\"\(server.lastChanged)\"}"
        }
        return "{\"Servers\":{\(servers.joined(separator: ","))},\"LastChanged\":\"\(lastChanged)\","
            + "\"ClusterName\":\(GoJSON.quoted(clusterName)),\"Hostname\":\(GoJSON.quoted(hostname))}"
    }
}
