import EventLoop

/// A call that passed the simulated agent's checks.
public enum SimulatedAgentCall: Sendable, Equatable {
    /// `subscribe` is the call's `subscribe` object (with the unacknowledged tasks and updates).
    case subscribe(JSONObject)
    /// `status` is the TaskStatus; `uuid` its 16 decoded bytes.
    case update(status: JSONValue, uuid: [UInt8])
    case message(data: [UInt8])
    case heartbeat
}

/// An error answer of the simulated agent: status, the real agent's message, extra headers.
public struct SimulatedAgentRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var message: String
    public var headers: [HTTPServerRequest.Field]

    public init(status: Int, message: String, headers: [HTTPServerRequest.Field] = []) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status) \(message)" }
}

/// The checks of the real agent's `/api/v1/executor` (slave/http.cpp `Http::executor` and
/// common/validation.cpp `validateExecutorCall`), in the real order, with the real status codes and messages.
///
/// Pure: a request and what the agent knows in, a call or a rejection out.
public enum SimulatedAgentValidation {
    /// What the checks depend on.
    public struct Context: Sendable {
        public var frameworkID: String
        public var executorID: String
        /// False until the executor's first SUBSCRIBE: other calls then get 403.
        public var executorSubscribed: Bool
        /// While the agent recovers, non-SUBSCRIBE calls get 503.
        public var recovering: Bool
        /// The agent destroyed the executor (a registration timeout): with its only executor gone, the framework
        /// is gone from the agent too.
        public var executorRemoved: Bool

        public init(
            frameworkID: String, executorID: String, executorSubscribed: Bool, recovering: Bool,
            executorRemoved: Bool = false
        ) {
            self.frameworkID = frameworkID
            self.executorID = executorID
            self.executorSubscribed = executorSubscribed
            self.recovering = recovering
            self.executorRemoved = executorRemoved
        }
    }

    public static func validate(_ request: HTTPServerRequest, context: Context) -> Result<
        SimulatedAgentCall, SimulatedAgentRejection
    > {
        do {
            return .success(try check(request, context: context))
        } catch {
            return .failure(error)
        }
    }

    private static func check(_ request: HTTPServerRequest, context: Context) throws(SimulatedAgentRejection)
        -> SimulatedAgentCall
    {
        guard request.method == "POST" else {
            throw SimulatedAgentRejection(
                status: 405, message: "Expecting one of { 'POST' }, but received '\(request.method)'",
                headers: [.init(name: "Allow", value: "POST")])
        }
        guard let contentType = request.header("Content-Type") else {
            throw bad("Expecting 'Content-Type' to be present")
        }
        // Compared as an exact string by the real agent: a charset parameter makes it unsupported.
        guard contentType == "application/json" else {
            let note = contentType == "application/x-protobuf" ? " (the simulated agent parses JSON only)" : ""
            throw SimulatedAgentRejection(
                status: 415, message: "Expecting 'Content-Type' of application/json or application/x-protobuf" + note)
        }
        let json: JSONValue
        do {
            json = try JSON.parse(request.body)
        } catch {
            throw bad("Failed to parse body into JSON: \(error)")
        }
        let call = try SimulatedAgentCallShape.convert(json)
        try validateCall(call)
        let type = call["type"]?.stringValue ?? ""
        if type == "HEARTBEAT" {
            return .heartbeat
        }
        if type == "SUBSCRIBE" {
            try checkAccept(request.header("Accept"))
        } else if context.recovering {
            throw SimulatedAgentRejection(status: 503, message: "Agent has not finished recovery")
        }
        guard !context.executorRemoved, call["framework_id"]?["value"]?.stringValue == context.frameworkID else {
            throw bad("Framework cannot be found")
        }
        guard call["executor_id"]?["value"]?.stringValue == context.executorID else {
            throw bad("Executor cannot be found")
        }
        guard type == "SUBSCRIBE" || context.executorSubscribed else {
            throw SimulatedAgentRejection(status: 403, message: "Executor is not subscribed")
        }
        switch type {
        case "SUBSCRIBE":
            return .subscribe(call["subscribe"]?.objectValue ?? [:])
        case "UPDATE":
            let status = call["update"]?["status"] ?? .null
            let uuid = (try? Base64.decode(status["uuid"]?.stringValue ?? "")) ?? []
            return .update(status: status, uuid: uuid)
        case "MESSAGE":
            return .message(data: (try? Base64.decode(call["message"]?["data"]?.stringValue ?? "")) ?? [])
        default:
            throw SimulatedAgentRejection(status: 501, message: "")
        }
    }

    private static func bad(_ message: String) -> SimulatedAgentRejection {
        SimulatedAgentRejection(status: 400, message: message)
    }

    /// `validateExecutorCall`, on the converted call.
    private static func validateCall(_ call: JSONValue) throws(SimulatedAgentRejection) {
        func invalid(_ message: String) -> SimulatedAgentRejection {
            bad("Failed to validate Executor::Call: " + message)
        }
        guard let type = call["type"]?.stringValue else { throw invalid("Expecting 'type' to be present") }
        guard let executorID = call["executor_id"]?["value"]?.stringValue else {
            throw invalid("Expecting 'executor_id' to be present")
        }
        guard let frameworkID = call["framework_id"]?["value"]?.stringValue else {
            throw invalid("Expecting 'framework_id' to be present")
        }
        switch type {
        case "SUBSCRIBE":
            guard call["subscribe"] != nil else { throw invalid("Expecting 'subscribe' to be present") }
        case "UPDATE":
            guard let status = call["update"]?["status"] else { throw invalid("Expecting 'update' to be present") }
            guard let uuidText = status["uuid"]?.stringValue else { throw invalid("Expecting 'uuid' to be present") }
            let uuid = (try? Base64.decode(uuidText)) ?? []
            // stout's UUID::fromBytes: exactly 16 bytes with a known version (1 to 5).
            guard uuid.count == 16, (1...5).contains(uuid[6] >> 4) else { throw invalid("Not a valid UUID") }
            if let statusExecutorID = status["executor_id"]?["value"]?.stringValue, statusExecutorID != executorID {
                throw invalid(
                    "ExecutorID in Call: \(executorID) does not match ExecutorID in TaskStatus: \(statusExecutorID)")
            }
            // An unset source reads as the default, SOURCE_MASTER.
            guard status["source"]?.stringValue == "SOURCE_EXECUTOR" else {
                throw invalid(
                    "Received Call from executor \(executorID) of framework \(frameworkID) with invalid source, "
                        + "expecting 'SOURCE_EXECUTOR'")
            }
            if status["state"]?.stringValue == "TASK_STAGING" {
                throw invalid(
                    "Received TASK_STAGING from executor \(executorID) of framework \(frameworkID) which is not allowed"
                )
            }
        case "MESSAGE":
            guard call["message"] != nil else { throw invalid("Expecting 'message' to be present") }
        default:
            break
        }
    }

    /// The agent streams JSON when `Accept` is missing or allows it; this simulator cannot stream protobuf.
    private static func checkAccept(_ accept: String?) throws(SimulatedAgentRejection) {
        guard let accept else { return }
        let acceptable = MediaRanges(accept)
        if acceptable.allows("application/json") { return }
        let note = acceptable.allows("application/x-protobuf") ? " (the simulated agent streams JSON only)" : ""
        throw SimulatedAgentRejection(
            status: 406,
            message: "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'" + note)
    }
}

/// An `Accept` header's media ranges, enough of RFC 9110 §12.5.1 for the agent's check.
private struct MediaRanges {
    private var ranges: [(type: String, quality: Double)] = []

    init(_ header: String) {
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters() }
            guard let type = parts.first, !type.isEmpty else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            ranges.append((type.lowercased(), quality))
        }
    }

    func allows(_ mediaType: String) -> Bool {
        let major = mediaType.split(separator: "/").first.map(String.init) ?? mediaType
        return ranges.contains { range in
            range.quality > 0 && (range.type == mediaType || range.type == "\(major)/*" || range.type == "*/*")
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
