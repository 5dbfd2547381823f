import Simulators
import TestSupport
import Testing

@testable import Simulators

/// `GET /api/services/<name>.json`, Go's MarshalIndent, and the cluster-sized catalog generator.
struct SimulatedSidecarServicesTests {
    static let time = SidecarTimestamp(rfc3339: "2024-05-01T10:00:00Z")!

    /// What a real Sidecar sends for one instance (Go's MarshalIndent of `ApiServices`, two spaces).
    static let oneInstance = """
        {
          "Services": {
            "web": [
              {
                "ID": "0123456789ab",
                "Name": "web",
                "Image": "acme/web:1.4",
                "Created": "2024-05-01T10:00:00Z",
                "Hostname": "node-a",
                "Ports": [
                  {
                    "Type": "tcp",
                    "Port": 31001,
                    "ServicePort": 8080,
                    "IP": "10.0.0.5"
                  }
                ],
                "Updated": "2024-05-01T10:00:00Z",
                "ProxyMode": "http",
                "Status": 0
              }
            ]
          },
          "ClusterName": "default"
        }
        """

    func startedSidecar() throws -> SimulatedSidecar {
        let sidecar = try SimulatedSidecar(hostname: "node-a")
        sidecar.clock = { Self.time }
        sidecar.setService(
            id: "0123456789ab", name: "web", image: "acme/web:1.4",
            ports: [SidecarPort(type: "tcp", port: 31001, servicePort: 8080, ip: "10.0.0.5")])
        sidecar.start()
        return sidecar
    }

    func get(_ sidecar: SimulatedSidecar, _ target: String) throws -> TestHTTPResponse {
        let client = try TestHTTPClient(sidecar.server)
        try client.send(TestHTTPClient.request(target))
        return try client.readResponse()
    }

    @Test func servesOneNamesInstancesIndentedAsSidecarDoes() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.setService(id: "ffffffffffff", name: "api")
        let response = try get(sidecar, "/api/services/web.json")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("Access-Control-Allow-Origin") == "*")
        #expect(response.bodyString == Self.oneInstance)
    }

    @Test func listsInstancesOnEveryHostInTombstoneToo() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.setService(id: "bbbbbbbbbbbb", name: "web", status: .tombstone, host: "node-b")
        let body = try get(sidecar, "/api/services/web.json").bodyString
        #expect(body.contains("\"Hostname\": \"node-b\""))
        #expect(body.contains("\"Status\": 1"))
        #expect(sidecar.catalog.instances(named: "web").map(\.hostname) == ["node-a", "node-b"])
    }

    @Test func aNameWithoutInstancesIsSidecarsNotFound() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        let response = try get(sidecar, "/api/services/nope.json")
        #expect(response.status == 404)
        #expect(response.bodyString == #"{"message":"no instances of nope found","status":"error"}"#)
    }

    @Test func anotherExtensionIsSidecarsInvalidContentType() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        let response = try get(sidecar, "/api/services/web.xml")
        #expect(response.status == 404)
        #expect(response.bodyString == #"{"message":"Not Found - Invalid content type extension","status":"error"}"#)
    }

    @Test func anEncodedNameIsDecodedBeforeMatching() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.setService(id: "cccccccccccc", name: "a b")
        #expect(try get(sidecar, "/api/services/a%20b.json").status == 200)
    }

    @Test(arguments: [
        ("{}", "{}"), ("[]", "[]"), (#"{"a":[]}"#, "{\n  \"a\": []\n}"),
        (#"{"a":{"b":1},"c":[1,2]}"#, "{\n  \"a\": {\n    \"b\": 1\n  },\n  \"c\": [\n    1,\n    2\n  ]\n}"),
        // Punctuation inside strings, escaped quotes included, is text.
        (#"{"k{,":"v\":[,]}"}"#, "{\n  \"k{,\": \"v\\\":[,]}\"\n}"),
    ])
    func indentsAsGosJSONIndent(compact: String, expected: String) {
        #expect(GoJSON.indented(compact) == expected)
    }

    @Test func theGeneratorBuildsAClusterSizedCatalog() throws {
        var random = SeededGenerator(seed: 7)
        let catalog = SidecarCatalog.generated(
            hosts: 200, servicesPerHost: 50, localHost: "host-3",
            localServices: [(id: "0123456789ab", name: "web")], using: &random)
        #expect(catalog.servers.count == 200)
        #expect(catalog.servers.values.reduce(0) { $0 + $1.services.count } == 10_001)
        #expect(catalog.hostname == "host-3")
        #expect(catalog.localService(id: "0123456789ab")?.status == .alive)
        // About 300 bytes a service, as in a real cluster's state document.
        let bytesPerService = catalog.json.utf8.count / 10_001
        #expect((250...400).contains(bytesPerService))
        // Names are shared by several instances, across hosts.
        let instances = catalog.instances(named: "svc-0")
        #expect(instances.count > 1)
        var again = SeededGenerator(seed: 7)
        #expect(
            catalog
                == SidecarCatalog.generated(
                    hosts: 200, servicesPerHost: 50, localHost: "host-3",
                    localServices: [(id: "0123456789ab", name: "web")], using: &again))
    }
}
