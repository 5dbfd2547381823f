import EventLoop

// MARK: - Requests (on connection threads)

extension SimulatedAgent {
    func handle(_ request: HTTPServerRequest, _ responder: HTTPResponder) {
        lock.withLock {
            defer { lock.broadcast() }
            switch availabilityState {
            case .normal:
                break
            case .refusingConnections:
                record(request, status: 0, message: "dropped: the agent is down")
                responder.closeWithoutAnswer()
                return
            case .answering(let status):
                let message = status == 503 ? "Agent has not finished recovery" : ""
                record(request, status: status, message: message)
                answer(responder, SimulatedAgentRejection(status: status, message: message))
                return
            }
            // libprocess routes first: the agent's /state, then the executor API; no handler, no answer but 404.
            if answerStateRequest(request, responder) { return }
            guard Self.executorPaths.contains(request.target) else {
                record(request, status: 404, message: "")
                answer(responder, SimulatedAgentRejection(status: 404, message: ""))
                return
            }
            // Then the authenticator, before the handler looks at the call.
            if let rejection = authenticationRejection(request) {
                record(request, status: rejection.status, message: rejection.message)
                answer(responder, rejection)
                return
            }
            expireOverdueExecutor(now: .now)
            let isCall = (try? JSON.parse(request.body))?["type"] != "SUBSCRIBE"
            if isCall && callsToDrop > 0 {
                callsToDrop -= 1
                record(request, status: 0, message: "dropped: connection closed without an answer")
                responder.closeWithoutAnswer()
                return
            }
            if isCall && stalling {
                record(request, status: 0, message: "stalled: never answered")
                responder.stall()
                return
            }
            let context = SimulatedAgentValidation.Context(
                frameworkID: frameworkID, executorID: executorID, executorSubscribed: executorSubscribed,
                recovering: recoveringState, executorRemoved: executorRemoved)
            switch SimulatedAgentValidation.validate(request, context: context) {
            case .failure(let rejection):
                record(request, status: rejection.status, message: rejection.message)
                answer(responder, rejection)
            case .success(.subscribe(let subscribe)):
                record(request, status: 200, message: "")
                handleSubscribe(subscribe, responder)
            case .success(.update(let status, _)):
                record(request, status: 202, message: "")
                responder.respond(status: 202, headers: [("Date", Self.httpDate())])
                processUpdate(status)
            case .success(.message), .success(.heartbeat):
                record(request, status: 202, message: "")
                responder.respond(status: 202, headers: [("Date", Self.httpDate())])
            }
        }
    }

    /// The executor API's two routes: the agent's own, and the one named by `MESOS_SLAVE_PID`.
    static let executorPaths: Set<String> = ["/api/v1/executor", "/slave(1)/api/v1/executor"]

    /// 401 for a call without the executor's bearer token, when authentication is on. The header and body are the
    /// real agent's with `--jwt_secret_key` and `--http_credentials` (a Basic and a Bearer authenticator).
    private func authenticationRejection(_ request: HTTPServerRequest) -> SimulatedAgentRejection? {
        guard let authenticationToken, request.header("Authorization") != "Bearer " + authenticationToken else {
            return nil
        }
        let challenge = HTTPServerRequest.Field(
            name: "WWW-Authenticate", value: #"Basic realm="mesos-agent-executor",Bearer realm="mesos-agent-executor""#)
        return SimulatedAgentRejection(
            status: 401,
            message: "\"Basic\" authenticator returned:\n401 Unauthorized.\n\n\"Bearer\" authenticator returned:\n"
                + "401 Unauthorized.",
            headers: [challenge])
    }

    private func answer(_ responder: HTTPResponder, _ rejection: SimulatedAgentRejection) {
        var headers = rejection.headers.map { ($0.name, $0.value) }
        headers.append(("Date", Self.httpDate()))
        if !rejection.message.isEmpty {
            headers.append(("Content-Type", "text/plain; charset=utf-8"))
        }
        responder.respond(status: rejection.status, headers: headers, body: rejection.message)
    }

    private func record(_ request: HTTPServerRequest, status: Int, message: String) {
        let json = try? JSON.parse(request.body)
        recordedCalls.append(
            RecordedCall(
                request: request, json: json, type: json?["type"]?.stringValue, status: status, message: message))
    }
}
