import Simulators
import Testing

private func time(_ text: String) -> SidecarTimestamp { SidecarTimestamp(rfc3339: text)! }

private func web(status: SidecarServiceStatus = .alive, updated: String, host: String = "node-a") -> SidecarService {
    SidecarService(
        id: "0123456789ab", name: "web", image: "acme/web:1.4", created: time("2024-05-01T10:00:00Z"),
        hostname: host, ports: [SidecarPort(type: "tcp", port: 31001, servicePort: 8080, ip: "10.0.0.5")],
        updated: time(updated), status: status)
}

struct SidecarCatalogTests {
    static let oneService =
        #"{"Servers":{"node-a":{"Name":"node-a","Services":{"0123456789ab":{"ID":"0123456789ab","Name":"web","#
        + #""Image":"acme/web:1.4","Created":"2024-05-01T10:00:00Z","Hostname":"node-a","Ports":[{"Type":"tcp","#
        + #""Port":31001,"ServicePort":8080,"IP":"10.0.0.5"}],"Updated":"2024-05-01T10:05:03.123456789Z","#
        + #""ProxyMode":"http","Status":0}},"LastUpdated":"2024-05-01T10:05:03.123456789Z","#
        + #""LastChanged":"2024-05-01T10:00:04.5Z"}},"LastChanged":"2024-05-01T10:00:04.5Z","#
        + #""ClusterName":"default","Hostname":"node-a"}"#

    @Test func encodesAnEmptyCatalogExactlyAsSidecarDoes() {
        #expect(
            SidecarCatalog(hostname: "vm").json
                == #"{"Servers":{},"LastChanged":"1970-01-01T00:00:00Z","ClusterName":"default","Hostname":"vm"}"#)
    }

    @Test func movesLastChangedOnlyWhenAServiceAppearsOrChangesStatus() {
        var catalog = SidecarCatalog(hostname: "node-a")
        catalog.upsert(web(updated: "2024-05-01T10:00:04.5Z"))
        catalog.upsert(web(updated: "2024-05-01T10:05:03.123456789Z"))
        #expect(catalog.json == Self.oneService)
        catalog.applyStatus(.unhealthy, id: "0123456789ab", at: time("2024-05-01T10:06:00Z"))
        let server = catalog.servers["node-a"]!
        #expect(server.lastChanged == time("2024-05-01T10:06:00Z"))
        #expect(server.lastUpdated == time("2024-05-01T10:06:00Z"))
        #expect(catalog.lastChanged == time("2024-05-01T10:06:00Z"))
    }

    @Test func keepsDrainingAgainstAliveButNotAgainstUnhealthy() {
        var catalog = SidecarCatalog(hostname: "node-a")
        catalog.upsert(web(status: .draining, updated: "2024-05-01T10:00:00Z"))
        let revived = catalog.applyStatus(.alive, id: "0123456789ab", at: time("2024-05-01T10:00:03Z"))
        #expect(!revived)
        #expect(catalog.service(id: "0123456789ab")?.status == .draining)
        #expect(catalog.service(id: "0123456789ab")?.updated == time("2024-05-01T10:00:00Z"))
        let failed = catalog.applyStatus(.unhealthy, id: "0123456789ab", at: time("2024-05-01T10:00:06Z"))
        let recovered = catalog.applyStatus(.alive, id: "0123456789ab", at: time("2024-05-01T10:00:09Z"))
        #expect(failed && recovered)
        #expect(catalog.service(id: "0123456789ab")?.status == .alive)
        let unknown = catalog.applyStatus(.alive, id: "unknown", at: time("2024-05-01T10:00:09Z"))
        #expect(!unknown)
    }

    @Test func findsLocalServicesOnlyOnItsOwnHost() {
        var catalog = SidecarCatalog(hostname: "node-a")
        catalog.upsert(web(updated: "2024-05-01T10:00:00Z", host: "node-b"))
        #expect(catalog.service(id: "0123456789ab") != nil)
        #expect(catalog.localService(id: "0123456789ab") == nil)
        catalog.upsert(web(updated: "2024-05-01T10:00:01Z", host: "node-a"))
        #expect(catalog.servers.keys.sorted() == ["node-a"])
        #expect(catalog.localService(id: "0123456789ab") != nil)
    }

    @Test func removesServicesAndHostsLeftEmpty() {
        var catalog = SidecarCatalog(hostname: "node-a")
        catalog.upsert(web(updated: "2024-05-01T10:00:00Z"))
        let removed = catalog.remove(id: "0123456789ab")
        #expect(removed?.name == "web")
        #expect(catalog.servers.isEmpty)
        let again = catalog.remove(id: "0123456789ab")
        #expect(again == nil)
    }

    @Test func sortsHostsAndServicesBytewiseLikeGoMaps() {
        var catalog = SidecarCatalog(hostname: "b")
        for (id, host) in [("bbb", "b"), ("aaa", "b"), ("ccc", "B"), ("ddd", "a")] {
            catalog.upsert(
                SidecarService(id: id, name: "n", image: "i", created: .epoch, hostname: host, updated: .epoch))
        }
        let json = catalog.json
        let order = ["\"B\":", "\"a\":", "\"b\":", "\"aaa\":", "\"bbb\":"].map { json.firstRange(of: $0)!.lowerBound }
        #expect(order == order.sorted())
        #expect(json.contains(#""Ports":[]"#))
    }

    @Test func escapesStringsAsGoEncodingJSONDoes() {
        let service = SidecarService(
            id: "x", name: "a\"b\\c<d>e&f\u{1}g\n\u{2028}é", image: "i", created: .epoch, hostname: "h", updated: .epoch
        )
        #expect(service.json.contains(#""Name":"a\"b\\c\u003cd\u003ee\u0026f\u0001g\n\u2028é""#))
    }

    @Test func namesStatusesAsSidecarDoes() {
        #expect(
            [SidecarServiceStatus.alive, .tombstone, .unhealthy, .unknown, .draining, .init(rawValue: 9)].map(
                \.description)
                == ["Alive", "Tombstone", "Unhealthy", "Unknown", "Draining", "Tombstone"])
    }
}
