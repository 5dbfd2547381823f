extension SidecarCatalog {
    /// A cluster-sized catalog for benchmarks and tests: `hosts` hosts (`host-0` …) with `servicesPerHost` services
    /// each, plus `localServices` on `localHost` (which is the catalog's own `hostname`, and one of the hosts when it is
    /// named `host-<n>`).
    ///
    /// Entries look like a real cluster's: about 300 bytes each in the state document, service names shared by several
    /// instances across hosts (one name per `instancesPerName` instances), one or two published ports, registry-style
    /// images, and mostly ALIVE with a few UNHEALTHY, TOMBSTONE and DRAINING entries. The same generator state gives
    /// the same catalog.
    public static func generated(
        hosts: Int,
        servicesPerHost: Int,
        localHost: String = "host-0",
        localServices: [(id: String, name: String)] = [],
        instancesPerName: Int = 8,
        using generator: inout some RandomNumberGenerator
    ) -> SidecarCatalog {
        var catalog = SidecarCatalog(hostname: localHost)
        let names = max(1, hosts * servicesPerHost / max(1, instancesPerName))
        let base = SidecarTimestamp(year: 2026, month: 11, day: 2, hour: 8)
        for host in 0..<hosts {
            for _ in 0..<servicesPerHost {
                let name = "svc-\(Int.random(in: 0..<names, using: &generator))"
                catalog.upsert(
                    randomService(
                        id: randomID(using: &generator), name: name, host: "host-\(host)", base: base,
                        using: &generator))
            }
        }
        for local in localServices {
            var service = randomService(id: local.id, name: local.name, host: localHost, base: base, using: &generator)
            service.status = .alive
            catalog.upsert(service)
        }
        return catalog
    }

    /// Twelve lowercase hex digits, like the container ID prefix Sidecar uses.
    public static func randomID(using generator: inout some RandomNumberGenerator) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<12).map { _ in digits[Int.random(in: 0..<16, using: &generator)] })
    }

    private static func randomService(
        id: String, name: String, host: String, base: SidecarTimestamp,
        using generator: inout some RandomNumberGenerator
    ) -> SidecarService {
        let created = base.adding(.seconds(Int.random(in: 0..<86_400, using: &generator)))
        let updated = created.adding(.nanoseconds(Int64.random(in: 0..<3_600_000_000_000, using: &generator)))
        let address =
            "10.\(Int.random(in: 0..<256, using: &generator)).\(Int.random(in: 0..<256, using: &generator))"
            + ".\(Int.random(in: 1..<255, using: &generator))"
        let ports = (0..<Int.random(in: 1...2, using: &generator)).map { index in
            SidecarPort(
                port: Int.random(in: 31000..<32000, using: &generator), servicePort: 8080 + index, ip: address)
        }
        let roll = Int.random(in: 0..<100, using: &generator)
        let status: SidecarServiceStatus =
            switch roll {
            case 0..<2: .unhealthy
            case 2..<3: .tombstone
            case 3..<4: .draining
            default: .alive
            }
        return SidecarService(
            id: id, name: name,
            image: "registry.example.internal/team-\(roll % 17)/\(name):1.\(roll % 9).\(roll)",
            created: created, hostname: host, ports: ports, updated: updated, proxyMode: "http", status: status)
    }
}
