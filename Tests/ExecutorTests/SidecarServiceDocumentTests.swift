import EventLoop
import Simulators
import TestSupport
import Testing

@testable import Executor

/// The per-service document (`/api/services/<name>.json`) and why its verdicts are the state document's.
struct SidecarServiceDocumentTests {
    let id = "0123456789ab"

    func catalog(_ services: [SidecarService]) -> SidecarCatalog {
        var catalog = SidecarCatalog(hostname: "node-a")
        for service in services { catalog.upsert(service) }
        return catalog
    }

    func service(
        id: String, name: String = "web", host: String = "node-a", status: SidecarServiceStatus = .alive
    ) -> SidecarService {
        let time = SidecarTimestamp(year: 2026, month: 1, day: 2)
        return SidecarService(
            id: id, name: name, image: "acme/web:1", created: time, hostname: host, updated: time, status: status)
    }

    func lookup(_ body: String, host: String = "node-a", name: String = "web") -> SidecarServiceLookup {
        SidecarServiceDocument.lookup(serviceID: id, host: host, name: name, in: Array(body.utf8))
    }

    @Test(arguments: [
        ("web", "/api/services/web.json"),
        ("web.v2", "/api/services/web.v2.json"),
        ("a b&c", "/api/services/a%20b%26c.json"),
        ("caf\u{e9}", "/api/services/caf%C3%A9.json"),
        ("x:1_y~z-", "/api/services/x%3A1_y~z-.json"),
    ])
    func theTargetPercentEncodesTheName(name: String, target: String) {
        #expect(SidecarServiceDocument.target(serviceName: name) == target)
    }

    @Test(arguments: ["", "team/web", "/"])
    func aNameTheRouteCannotCarryHasNoTarget(name: String) {
        #expect(SidecarServiceDocument.target(serviceName: name) == nil)
    }

    @Test func theInstanceOnOurHostGivesItsStatus() {
        let body = catalog([
            service(id: "aaaaaaaaaaaa"), service(id: id, status: .unhealthy),
            service(id: "bbbbbbbbbbbb", host: "node-b", status: .tombstone),
        ]).servicesJSON(named: "web")
        #expect(lookup(body) == .status(.unhealthy, name: "web"))
    }

    @Test func theSameIDOnAnotherHostIsNotOurs() {
        let body = catalog([service(id: id, host: "node-b", status: .unhealthy)]).servicesJSON(named: "web")
        #expect(lookup(body) == .notListed(reason: "no instance \(id) on host node-a among 1"))
    }

    @Test func sidecarsNotFoundAnswerIsNotListed() {
        #expect(
            lookup(#"{"message":"no instances of web found","status":"error"}"#)
                == .notListed(reason: "the answer lists no instances of web"))
    }

    @Test(arguments: [
        #"{"Services":{"web":[{"ID":"0123456789ab","Hostname":"node-a"}]}}"#,
        #"{"Services":{"web":[{"ID":"0123456789ab","Hostname":"node-a","Status":"2"}]}}"#,
        #"{"Services":{"web":[{"ID":"0123456789ab","Hostname":"node-a","Status":2.5}]}}"#,
    ])
    func anInstanceWithoutAnIntegerStatusIsNoVerdict(body: String) {
        #expect(lookup(body) == .notListed(reason: "instance \(id) on node-a has no integer Status"))
    }

    @Test(arguments: [
        "", "<html>", #"{"Services":{"web":[{"ID":"0123456789ab","Hostname":"node-a","Status":2}]}"#,
        #"{"Services":{"web":{"ID":"0123456789ab"}}}"#, #"{"Services":[]}"#, "[]",
    ])
    func damagedOrForeignBodiesAreNeverAVerdict(body: String) {
        guard case .notListed = lookup(body) else {
            Issue.record("a verdict from \(body.debugDescription)")
            return
        }
    }

    @Test func anotherNamesInstancesAreNotRead() {
        let body = catalog([service(id: id, name: "api", status: .unhealthy)]).servicesJSON(named: "api")
        #expect(lookup(body, name: "web") == .notListed(reason: "the answer lists no instances of web"))
    }

    /// On random cluster catalogs, the per-service document gives a verdict exactly when the state document lists the
    /// service under that name, and then the same one; otherwise the client falls back to the state document.
    @Test func randomCatalogsGiveTheStateDocumentsVerdicts() {
        var random = SeededGenerator(seed: 0x5CA1E)
        for round in 0..<60 {
            let hosts = 1 + random.below(12)
            var catalog = SidecarCatalog.generated(
                hosts: hosts, servicesPerHost: 1 + random.below(20), localHost: "host-\(random.below(hosts + 1))",
                instancesPerName: 1 + random.below(6), using: &random)
            let all = catalog.servers.values.flatMap { $0.services.values }.sorted { $0.id < $1.id }
            // Ours: a listed service, or an ID nobody has; sometimes the same ID also on another host.
            let ours =
                random.below(5) == 0
                ? service(id: SidecarCatalog.randomID(using: &random), name: "svc-0")
                : all[random.below(all.count)]
            if random.below(4) == 0 {
                var twin = ours
                twin.hostname = "elsewhere"
                twin.status = .unhealthy
                catalog.upsert(twin)
                if let original = all.first(where: { $0.id == ours.id }) { catalog.upsert(original) }
            }
            let host = random.below(6) == 0 ? "host-\(random.below(hosts))" : ours.hostname
            let name = random.below(4) == 0 ? "svc-\(random.below(40))" : ours.name
            let state = SidecarState.lookup(serviceID: ours.id, host: host, in: Array(catalog.json.utf8))
            let instances = catalog.instances(named: name)
            let body =
                instances.isEmpty
                ? #"{"message":"no instances of \#(name) found","status":"error"}"# : catalog.servicesJSON(named: name)
            let perService = SidecarServiceDocument.lookup(
                serviceID: ours.id, host: host, name: name, in: Array(body.utf8))
            switch (state, perService) {
            case (.status(let status, let stateName), .status(let serviceStatus, let serviceName)):
                #expect(status == serviceStatus && stateName == serviceName, "round \(round)")
            case (.status(_, let stateName), .notListed):
                #expect(stateName != name, "round \(round): listed under \(name) but not found by name")
            case (_, .status):
                Issue.record("round \(round): a per-service verdict where the state document has none: \(state)")
            default:
                break
            }
        }
    }
}
