import EventLoop

extension SimulatedAgent {
    /// The leading master's host name the agent's `/state` reports (`master_hostname`); nil: no master detected,
    /// and the member is left out, as a real agent does.
    public var masterHostname: String? {
        get { lock.withLock { masterHostnameState } }
        set { lock.withLock { masterHostnameState = newValue } }
    }

    /// `GET /state` (and `/slave(1)/state`), an agent's status document: its id, host name and master. Answers
    /// true when the request was one; called with the lock held.
    func answerStateRequest(_ request: HTTPServerRequest, _ responder: HTTPResponder) -> Bool {
        guard request.target == "/state" || request.target == "/slave(1)/state" else { return false }
        guard request.method == "GET" || request.method == "HEAD" else {
            _ = responder.respond(status: 405, headers: [("Allow", "GET")])
            return true
        }
        var document: JSONObject = [
            "version": "1.11.0", "id": .string(agentID), "hostname": .string(hostname),
            "pid": .string("slave(1)@\(endpointString)"), "frameworks": [], "completed_frameworks": [],
        ]
        if let masterHostnameState { document["master_hostname"] = .string(masterHostnameState) }
        _ = responder.respond(
            headers: [("Content-Type", "application/json")], body: JSONValue.object(document).serialized())
        return true
    }
}
