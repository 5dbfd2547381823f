import EventLoop

/// EXECUTOR_SEED_SIDECAR: the host names of the cluster's Mesos agents, for a Sidecar running in the container to
/// join (`SIDECAR_SEEDS=h1,h2,…`). The agent's `/state` names the leading master (`master_hostname`), whose
/// `/slaves` lists every agent (`slaves[].hostname`). Pure: URLs and decoders, no I/O.
///
/// Decoded as the original's Go structs were: the response status is not looked at, a missing `master_hostname`
/// is empty (and the master URL then fails), a missing `slaves` gives an empty list, an agent without a
/// `hostname` an empty name; a body that is not JSON, or a member of the wrong type, is an error.
enum SidecarSeeds {
    struct Failure: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    /// Responses this large are not what these endpoints send.
    static let maxBodyBytes = 16 << 20

    /// The environment entry.
    static func variable(hostnames: [String]) -> String {
        "SIDECAR_SEEDS=" + hostnames.joined(separator: ",")
    }

    /// `http://$MESOS_AGENT_ENDPOINT/state`.
    static func agentStateURL(agentEndpoint: String) throws(Failure) -> HTTPURL {
        try url("http://\(agentEndpoint)/state")
    }

    /// `http://<master>:<EXECUTOR_MESOS_MASTER_PORT>/slaves`; an empty port leaves the port out (80).
    static func slavesURL(masterHostname: String, port: String) throws(Failure) -> HTTPURL {
        try url("http://\(masterHostname)\(port.isEmpty ? "" : ":\(port)")/slaves")
    }

    static func masterHostname(fromAgentState body: [UInt8]) throws(Failure) -> String {
        let document = try parse(body, keeping: "master_hostname", what: "the Mesos agent's /state")
        guard let value = document["master_hostname"] else { return "" }
        guard let hostname = value.stringValue else {
            throw Failure(description: "master_hostname in the Mesos agent's /state is not a string")
        }
        return hostname
    }

    static func hostnames(fromSlaves body: [UInt8]) throws(Failure) -> [String] {
        let document = try parse(body, keeping: "slaves", what: "the Mesos master's /slaves")
        guard let value = document["slaves"], !value.isNull else { return [] }
        guard let slaves = value.arrayValue else {
            throw Failure(description: "slaves in the Mesos master's /slaves is not a list")
        }
        var hostnames: [String] = []
        for (index, slave) in slaves.enumerated() {
            guard slave.objectValue != nil || slave.isNull else {
                throw Failure(description: "slaves[\(index)] in the Mesos master's /slaves is not an object")
            }
            guard let hostname = slave["hostname"], !hostname.isNull else {
                hostnames.append("")
                continue
            }
            guard let text = hostname.stringValue else {
                throw Failure(description: "slaves[\(index)].hostname in the Mesos master's /slaves is not a string")
            }
            hostnames.append(text)
        }
        return hostnames
    }

    private static func url(_ text: String) throws(Failure) -> HTTPURL {
        do {
            return try HTTPURL(parsing: text)
        } catch {
            throw Failure(description: error.description)
        }
    }

    private static func parse(_ body: [UInt8], keeping member: String, what: String) throws(Failure) -> JSONValue {
        let document: JSONValue
        do {
            document = try JSON.parse(body, keeping: JSONKeep(path: [], topLevelMembers: [member]))
        } catch {
            throw Failure(description: "\(what) is not JSON (\(error))")
        }
        // Go decodes `null` into a struct as "nothing set".
        guard document.objectValue != nil || document.isNull else {
            throw Failure(description: "\(what) is not a JSON object")
        }
        return document
    }
}
