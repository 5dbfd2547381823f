import EventLoop
import TestSupport
import Testing

@testable import Executor

struct SidecarStateTests {
    /// Sidecar's `/state.json` for one service, in the exact shape and key order a real Sidecar writes.
    static func document(status: Int = 0, host: String = "node-a", id: String = "0123456789ab") -> String {
        #"{"Servers":{"\#(host)":{"Name":"\#(host)","Services":{"\#(id)":{"ID":"\#(id)","Name":"web","#
            + #""Image":"acme/web:1.4","Created":"2024-05-01T10:00:00Z","Hostname":"\#(host)","Ports":[{"Type":"tcp","#
            + #""Port":31001,"ServicePort":8080,"IP":"10.0.0.5"}],"Updated":"2024-05-01T10:05:03.123456789Z","#
            + #""ProxyMode":"http","Status":\#(status)}},"LastUpdated":"2024-05-01T10:05:03.123456789Z","#
            + #""LastChanged":"2024-05-01T10:00:04.5Z"}},"LastChanged":"2024-05-01T10:00:04.5Z","#
            + #""ClusterName":"default","Hostname":"\#(host)"}"#
    }

    private func lookup(_ body: String, host: String? = "node-a", id: String = "0123456789ab") -> SidecarLookup {
        SidecarState.lookup(serviceID: id, host: host, in: Array(body.utf8))
    }

    private func notStateDocument(_ body: String, host: String? = "node-a") -> SidecarStateError? {
        guard case .notStateDocument(let error) = lookup(body, host: host) else { return nil }
        return error
    }

    /// Random documents with Sidecar's keys at random places and of random types.
    static func randomDocument(_ generator: inout SeededGenerator, depth: Int = 0) -> JSONValue {
        let keys = ["Servers", "Services", "Hostname", "Status", "Name", "node-a", "vm", "0123456789ab"]
        switch Int.random(in: 0..<(depth > 4 ? 3 : 6), using: &generator) {
        case 0: return .int(Int64.random(in: 0...3, using: &generator))
        case 1: return [.null, .double(2.0), .string("web")].randomElement(using: &generator)!
        case 2: return .string(["node-a", "vm"].randomElement(using: &generator)!)
        case 3: return .array([randomDocument(&generator, depth: depth + 1)])
        default:
            var members: [(String, JSONValue)] = []
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                members.append((keys.randomElement(using: &generator)!, randomDocument(&generator, depth: depth + 1)))
            }
            return .object(JSONObject(members))
        }
    }

    @Test func theLookupKeepingOnlyTheServiceAgreesWithTheWholeTreeOnRandomDocuments() {
        var generator = SeededGenerator(seed: 0x51DE_CA12)
        var verdicts = Set<String>()
        for _ in 0..<3000 {
            var document = Self.randomDocument(&generator)
            // Most documents get the right top-level shape, so that the lookups reach deep.
            if Bool.random(using: &generator), case .object(var top) = document {
                top["Servers"] = [
                    "node-a": ["Services": ["0123456789ab": Self.randomDocument(&generator, depth: 3)]],
                    "vm": Self.randomDocument(&generator, depth: 2),
                ]
                document = .object(top)
            }
            let body = document.serialized()
            for host in ["node-a", "vm", nil] as [String?] {
                let whole: SidecarLookup
                do {
                    whole = try SidecarState.decode(body).lookup(serviceID: "0123456789ab", host: host)
                } catch {
                    whole = .notStateDocument(error)
                }
                let kept = SidecarState.lookup(serviceID: "0123456789ab", host: host, in: body)
                #expect(kept == whole, "\(document)")
                verdicts.insert("\(whole)".prefix(60).description)
            }
        }
        #expect(verdicts.count >= 12, "the random documents must reach most verdicts: \(verdicts)")
    }

    @Test func theRealShapeGivesTheServiceStatusAndName() {
        #expect(lookup(Self.document()) == .status(.alive, name: "web"))
    }

    @Test(arguments: [0, 1, 2, 3, 4, 9])
    func everyStatusNumberIsRead(number: Int) {
        #expect(lookup(Self.document(status: number)) == .status(ServiceStatus(rawValue: number), name: "web"))
    }

    @Test func withoutTaskHostTheDocumentsOwnHostnameIsUsed() {
        #expect(lookup(Self.document(status: 2, host: "vm"), host: nil) == .status(.unhealthy, name: "web"))
    }

    @Test func taskHostWinsOverTheDocumentsHostname() {
        let body =
            #"{"Servers":{"a":{"Services":{"0123456789ab":{"Status":2}}},"b":{"Services":{"0123456789ab":{"Status":0}}}},"#
            + #""Hostname":"a"}"#
        #expect(lookup(body, host: "b") == .status(.alive, name: nil))
        #expect(lookup(body, host: nil) == .status(.unhealthy, name: nil))
    }

    @Test func anAbsentHostIsNotListed() {
        #expect(lookup(Self.document(), host: "node-b") == .hostNotListed(host: "node-b"))
    }

    @Test func theEmptyCatalogListsNoHost() {
        let body = #"{"Servers":{},"LastChanged":"1970-01-01T00:00:00Z","ClusterName":"default","Hostname":"vm"}"#
        #expect(lookup(body, host: nil) == .hostNotListed(host: "vm"))
    }

    @Test func anAbsentServiceIsNotListed() {
        #expect(
            lookup(Self.document(), id: "ffffffffffff") == .serviceNotListed(host: "node-a", serviceID: "ffffffffffff"))
    }

    @Test func aServerWithoutServicesListsNone() {
        #expect(
            lookup(#"{"Servers":{"node-a":{"Name":"node-a"}}}"#)
                == .serviceNotListed(host: "node-a", serviceID: "0123456789ab"))
        #expect(
            lookup(#"{"Servers":{"node-a":{"Services":null}}}"#)
                == .serviceNotListed(host: "node-a", serviceID: "0123456789ab"))
    }

    @Test func unknownKeysAndAnyOrderAreAccepted() {
        let body =
            #"{"Future":[1,{"x":null}],"Hostname":"node-a","Servers":{"node-a":{"Extra":true,"Services":{"#
            + #""0123456789ab":{"Status":4,"Weird":{"deep":[[]]},"Name":"web","ID":"0123456789ab"}}}}}"#
        #expect(lookup(body) == .status(.draining, name: "web"))
    }

    @Test func timesWithOrWithoutFractionsOrInAnyFormatDoNotMatter() {
        let body =
            #"{"Servers":{"node-a":{"LastUpdated":"yesterday","Services":{"0123456789ab":{"Created":"2024-05-01T10:00:00Z","#
            + #""Updated":12345,"Status":3}}}}}"#
        #expect(lookup(body) == .status(.unknown, name: nil))
    }

    @Test func malformedEntriesOfOtherHostsAndServicesAreIgnored() {
        let body =
            #"{"Servers":{"other":"garbage","node-a":{"Services":{"aaaaaaaaaaaa":{"Status":"x"},"#
            + #""0123456789ab":{"Status":2,"Name":7}}}}}"#
        #expect(lookup(body) == .status(.unhealthy, name: nil))
    }

    @Test func sidecarsJSONErrorBodiesAreNotTheStateDocument() {
        #expect(notStateDocument(#"{"message":"no instances of nope found","status":"error"}"#) == .missingServers)
        #expect(
            notStateDocument(#"{"message":"Not Found - Invalid content type extension","status":"error"}"#)
                == .missingServers)
    }

    @Test func bodiesThatAreNotJSONAreNotTheStateDocument() {
        let deep = #"{"Servers":"# + String(repeating: "[", count: 100_000)
        for body in ["404 page not found\n", "", "<html></html>", #"{"Servers":{}"#, #"{"Servers":{}} x"#, deep] {
            guard case .notJSON? = notStateDocument(body) else {
                Issue.record("\(body.prefix(40).debugDescription) should be reported as not JSON")
                continue
            }
        }
    }

    @Test func wrongShapesGiveSpecificErrors() {
        #expect(notStateDocument("[1,2]") == .notAnObject)
        #expect(notStateDocument("null") == .notAnObject)
        #expect(notStateDocument(#"{"Servers":[]}"#) == .serversNotAnObject)
        #expect(notStateDocument(#"{"Servers":null}"#) == .serversNotAnObject)
        #expect(notStateDocument(#"{"Servers":{"node-a":3}}"#) == .serverNotAnObject(host: "node-a"))
        #expect(notStateDocument(#"{"Servers":{"node-a":{"Services":[]}}}"#) == .servicesNotAnObject(host: "node-a"))
        let id = "0123456789ab"
        #expect(
            notStateDocument(#"{"Servers":{"node-a":{"Services":{"0123456789ab":"x"}}}}"#)
                == .serviceNotAnObject(serviceID: id))
        #expect(
            notStateDocument(#"{"Servers":{"node-a":{"Services":{"0123456789ab":{"Name":"web"}}}}}"#)
                == .missingStatus(serviceID: id))
        for status in [#""2""#, "2.0", "2.5", "null", "true", "[2]", "99999999999999999999"] {
            let body = #"{"Servers":{"node-a":{"Services":{"0123456789ab":{"Status":\#(status)}}}}}"#
            #expect(notStateDocument(body) == .statusNotAnInteger(serviceID: id), "Status \(status)")
        }
    }

    @Test func withoutTaskHostOrHostnameTheServerCannotBeChosen() {
        #expect(notStateDocument(#"{"Servers":{"node-a":{}}}"#, host: nil) == .noHostname)
        #expect(notStateDocument(#"{"Servers":{"node-a":{}},"Hostname":7}"#, host: nil) == .noHostname)
    }

    @Test func decodingKeepsTheHostnameAndAnswersSeveralLookups() throws {
        let state = try SidecarState.decode(Array(Self.document(status: 1).utf8))
        #expect(state.hostname == "node-a")
        #expect(state.lookup(serviceID: "0123456789ab", host: nil) == .status(.tombstone, name: "web"))
        #expect(
            state.lookup(serviceID: "0123456789ac", host: nil)
                == .serviceNotListed(host: "node-a", serviceID: "0123456789ac"))
    }

    @Test func errorDescriptionsAreSentencesWithContext() {
        #expect(
            SidecarStateError.missingServers.description
                == "The Sidecar response is not the state document because it has no \"Servers\" member.")
        #expect(
            SidecarStateError.statusNotAnInteger(serviceID: "0123456789ab").description
                == "The Sidecar state document's \"Status\" of service 0123456789ab is not an integer.")
        guard case .notJSON(let jsonError)? = notStateDocument("404 page not found") else {
            Issue.record("plain text must not be JSON")
            return
        }
        let description = SidecarStateError.notJSON(jsonError).description
        #expect(description.hasPrefix("The Sidecar response is not the state document because it is not JSON: "))
        #expect(description.contains("\(jsonError.offset)"))
    }
}
