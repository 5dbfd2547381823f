import EventLoop

/// What Sidecar's per-service document says about one instance, or that it does not say.
enum SidecarServiceLookup: Sendable, Equatable {
    /// The instance is listed with this status; `name` is its service name.
    case status(ServiceStatus, name: String?)
    /// The document does not list the instance usably (or the answer is not the document, such as Sidecar's 404
    /// `no instances of <name> found`): the state document has to decide. `reason` is for the debug log.
    case notListed(reason: String)
}

/// Sidecar's `GET /api/services/<name>.json`: every instance, on every host, of one service name.
///
/// The document is `{"Services":{"<name>":[instance, …]},"ClusterName":…}`, indented, each instance the same object
/// the state document lists (`ID`, `Name`, `Hostname`, `Status`, …). Sidecar files every service in its state under
/// the server its `Hostname` names, keyed by its `ID`, so the instance whose `ID` and `Hostname` are ours carries the
/// status the state document lists at `Servers[host].Services[id]`: the verdict is the same, read from a document
/// of a few kilobytes instead of one listing the whole cluster.
///
/// Anything short of that instance with an integer `Status` is `notListed`, never a verdict: the state document
/// then decides, with the state document's own rules and errors.
enum SidecarServiceDocument {
    /// The request target of the document for `name`: `/api/services/<name>.json`, the name percent-encoded.
    ///
    /// Nil for a name the route cannot carry: Sidecar's router matches `{name}` against the decoded path as one
    /// segment, so a name with a `/` (or an empty one) never reaches the handler.
    static func target(serviceName name: String) -> String? {
        guard !name.isEmpty, !name.contains("/") else { return nil }
        return "/api/services/\(percentEncoded(name)).json"
    }

    /// Finds the instance `serviceID` on `host` in a response body.
    static func lookup<Bytes: Collection>(serviceID: String, host: String, name: String, in body: Bytes)
        -> SidecarServiceLookup
    where Bytes.Element == UInt8 {
        let document: JSONValue
        do {
            // Only this name's instances are built; the rest is validated and dropped.
            document = try JSON.parse(body, keeping: JSONKeep(path: ["Services", name]))
        } catch {
            return .notListed(reason: "the answer is not JSON (\(error))")
        }
        guard case .array(let instances)? = document["Services"]?[name] else {
            return .notListed(reason: "the answer lists no instances of \(name)")
        }
        for instance in instances {
            guard instance["ID"]?.stringValue == serviceID, instance["Hostname"]?.stringValue == host else { continue }
            guard case .int(let number)? = instance["Status"], let value = Int(exactly: number) else {
                return .notListed(reason: "instance \(serviceID) on \(host) has no integer Status")
            }
            return .status(ServiceStatus(rawValue: value), name: instance["Name"]?.stringValue)
        }
        return .notListed(reason: "no instance \(serviceID) on host \(host) among \(instances.count)")
    }

    /// RFC 3986 unreserved characters stay; every other byte becomes `%XX`.
    private static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
