import EventLoop

/// What Sidecar's state document says about one service, or why it says nothing.
enum SidecarLookup: Sendable, Equatable {
    /// The service is listed with this status; `name` is its service name (for logs), when the entry has one.
    case status(ServiceStatus, name: String?)
    /// The document has no server entry for the host.
    case hostNotListed(host: String)
    /// The host is listed, but not the service.
    case serviceNotListed(host: String, serviceID: String)
    /// The body is not Sidecar's state document (not JSON, an error body such as a 404's, or the wrong shape).
    case notStateDocument(SidecarStateError)
}

/// The parts of Sidecar's state document (`GET /state.json`) the executor uses.
///
/// Decoding is lenient, like the original's Go struct decoding: unknown keys are ignored, and only the path to our
/// service must have the right shape (`Servers[host].Services[id]` with an integer `Status`; `Name` and `ID` are read
/// for logs when they are strings). Times are never read, so their format does not matter. The document's other
/// servers and services are not checked: a malformed entry of another host must not blind us to our own service.
struct SidecarState: Sendable {
    /// The document's own top-level `Hostname` (the Sidecar host's name), if it has one.
    let hostname: String?
    /// `Servers`, keyed by host name.
    private let servers: JSONObject

    /// Decodes a response body.
    ///
    /// The body must be a JSON object with a `Servers` object; anything else, including Sidecar's error bodies
    /// (`{"message":…,"status":"error"}`), is not the state document.
    /// `keep` decodes only the parts it selects (the whole body is still validated as JSON).
    static func decode<Bytes: Collection>(_ body: Bytes, keeping keep: JSONKeep? = nil) throws(SidecarStateError)
        -> SidecarState
    where Bytes.Element == UInt8 {
        let document: JSONValue
        do throws(JSONError) {
            if let keep {
                document = try JSON.parse(body, keeping: keep)
            } else {
                document = try JSON.parse(body)
            }
        } catch {
            throw .notJSON(error)
        }
        guard case .object(let top) = document else { throw .notAnObject }
        guard let servers = top["Servers"] else { throw .missingServers }
        guard case .object(let serversObject) = servers else { throw .serversNotAnObject }
        return SidecarState(hostname: top["Hostname"]?.stringValue, servers: serversObject)
    }

    /// Decodes `body` and finds `Servers[host].Services[serviceID]`; `host` nil means the document's own `Hostname`.
    ///
    /// Only that entry (of every server, when `host` is nil) and `Hostname` are kept while parsing: the document lists
    /// every service of the cluster and comes every poll, and building all of it made each poll allocate, and the
    /// heap fragment, in proportion to the cluster (BENCHMARKS.md). The verdict is the same as from the whole tree.
    static func lookup<Bytes: Collection>(serviceID: String, host: String?, in body: Bytes) -> SidecarLookup
    where Bytes.Element == UInt8 {
        let keep = JSONKeep(path: ["Servers", host, "Services", serviceID], topLevelMembers: ["Hostname"])
        do {
            return try decode(body, keeping: keep).lookup(serviceID: serviceID, host: host)
        } catch {
            return .notStateDocument(error)
        }
    }

    /// Finds `Servers[host].Services[serviceID]`; `host` nil (TASK_HOST unset) means the document's own `Hostname`.
    func lookup(serviceID: String, host: String?) -> SidecarLookup {
        do {
            return try find(serviceID: serviceID, host: host)
        } catch {
            return .notStateDocument(error)
        }
    }

    private func find(serviceID: String, host: String?) throws(SidecarStateError) -> SidecarLookup {
        guard let host = host ?? hostname else { throw .noHostname }
        guard let server = servers[host] else { return .hostNotListed(host: host) }
        guard case .object(let serverObject) = server else { throw .serverNotAnObject(host: host) }
        // A server without services (absent or null) lists nothing; Go decodes both into an empty map.
        let services: JSONObject
        switch serverObject["Services"] {
        case nil, .null?: return .serviceNotListed(host: host, serviceID: serviceID)
        case .object(let object)?: services = object
        case _?: throw .servicesNotAnObject(host: host)
        }
        guard let service = services[serviceID] else { return .serviceNotListed(host: host, serviceID: serviceID) }
        guard case .object(let serviceObject) = service else { throw .serviceNotAnObject(serviceID: serviceID) }
        // Go would read an absent Status as 0 (ALIVE); we refuse to invent a verdict from a field that is not there.
        guard let status = serviceObject["Status"] else { throw .missingStatus(serviceID: serviceID) }
        guard case .int(let number) = status, let value = Int(exactly: number) else {
            throw .statusNotAnInteger(serviceID: serviceID)
        }
        return .status(ServiceStatus(rawValue: value), name: serviceObject["Name"]?.stringValue)
    }
}

/// Why a response body is not a usable Sidecar state document.
enum SidecarStateError: Error, Equatable, CustomStringConvertible {
    /// The body is larger than the client reads; the request was abandoned before it ended.
    case bodyTooLarge(limit: Int)
    /// The body is not JSON at all (e.g. an HTML or plain-text error page).
    case notJSON(JSONError)
    /// The body is JSON but not an object.
    case notAnObject
    /// The object has no `Servers` member (Sidecar's error bodies look like this).
    case missingServers
    case serversNotAnObject
    /// TASK_HOST is unset and the document has no top-level `Hostname` string to fall back on.
    case noHostname
    case serverNotAnObject(host: String)
    case servicesNotAnObject(host: String)
    case serviceNotAnObject(serviceID: String)
    case missingStatus(serviceID: String)
    case statusNotAnInteger(serviceID: String)

    var description: String {
        switch self {
        case .bodyTooLarge(let limit):
            "The Sidecar response is not the state document because its body is larger than \(limit) bytes."
        case .notJSON(let error):
            "The Sidecar response is not the state document because it is not JSON: \(error)"
        case .notAnObject:
            "The Sidecar response is not the state document because it is JSON but not an object."
        case .missingServers:
            "The Sidecar response is not the state document because it has no \"Servers\" member."
        case .serversNotAnObject:
            "The Sidecar response is not the state document because its \"Servers\" member is not an object."
        case .noHostname:
            "The Sidecar state document has no top-level \"Hostname\" string, and TASK_HOST is unset,"
                + " so the executor cannot tell which server to look at."
        case .serverNotAnObject(let host):
            "The Sidecar state document's entry for server \"\(host)\" is not an object."
        case .servicesNotAnObject(let host):
            "The Sidecar state document's \"Services\" member of server \"\(host)\" is not an object."
        case .serviceNotAnObject(let serviceID):
            "The Sidecar state document's entry for service \(serviceID) is not an object."
        case .missingStatus(let serviceID):
            "The Sidecar state document's entry for service \(serviceID) has no \"Status\"."
        case .statusNotAnInteger(let serviceID):
            "The Sidecar state document's \"Status\" of service \(serviceID) is not an integer."
        }
    }
}
