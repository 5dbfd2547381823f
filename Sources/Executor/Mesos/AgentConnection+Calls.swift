import EventLoop

// The SUBSCRIBE request and its stream, and the one-at-a-time POSTing of calls.
extension AgentConnection {
    /// Error bodies are only logged; a few hundred bytes say everything the agent says.
    static let loggedBodyLimit = 512

    func sendSubscribe(generation: Int) {
        guard let channel = subscribeChannel else { return }
        let call = ledger.subscribeCall()
        if case .subscribe(let tasks, let updates) = call, !tasks.isEmpty || !updates.isEmpty {
            Log.info(
                "Resubscribing with \(tasks.count) unacknowledged task(s) and \(updates.count) unacknowledged update(s)"
            )
        }
        var status = 0
        var errorBody: [UInt8] = []
        armResponseTimer("the SUBSCRIBE", generation: generation)
        channel.send(request(for: call)) { [weak self] part in
            guard let self, generation == attempt else { return }
            switch part {
            case .head(let head):
                responseTimer?.cancel()
                responseTimer = nil
                status = head.status
                if status == 200 {
                    apply(state.handle(.subscribeAnswered(status: 200)))
                }
            case .body(let bytes) where status == 200:
                receiveEvents(bytes, generation: generation)
            case .body(let bytes):
                errorBody += bytes.prefix(Self.loggedBodyLimit - errorBody.count)
            case .end where status == 200:
                disconnect("the agent ended the event stream")
            case .end:
                Log.warning(
                    "The agent answered SUBSCRIBE with \(status): \(String(decoding: errorBody, as: UTF8.self))")
                apply(state.handle(.subscribeAnswered(status: status)))
            }
        }
    }

    private func receiveEvents(_ bytes: [UInt8], generation: Int) {
        streamBuffer.append(contentsOf: bytes)
        while generation == attempt, subscribeChannel != nil {
            let event: ExecutorEvent
            do {
                guard let next = try eventDecoder.decode(&streamBuffer) else { return }
                event = next
            } catch {
                disconnect("\(error)")
                return
            }
            dispatch(event)
        }
    }

    // MARK: - Calls

    /// POSTs the next call when subscribed and nothing is in flight: updates first, oldest first.
    func pumpCalls() {
        guard state.phase == .subscribed, !callInFlight, callRetryTimer == nil, callChannel != nil else { return }
        if let status = ledger.nextToPost {
            post(.update(status: status.json), describing: "the UPDATE \(status.uuid) of task \(status.taskID)") {
                [weak self] outcome in
                guard let self else { return }
                switch outcome {
                case .accepted:
                    ledger.posted(status.uuid)
                    delegate?.agentConnection(self, didDeliver: status)
                case .rejected(let answer):
                    ledger.rejected(status.uuid)
                    delegate?.agentConnection(self, didReject: status, answer: answer)
                }
            }
        } else if heartbeatDue {
            post(.heartbeat, describing: "a HEARTBEAT") { [weak self] _ in self?.heartbeatDue = false }
        } else if let data = pendingMessages.first {
            post(.message(data: data), describing: "a MESSAGE") { [weak self] _ in
                guard let self, !pendingMessages.isEmpty else { return }
                pendingMessages.removeFirst()
            }
        }
    }

    enum CallOutcome {
        case accepted
        /// Permanently: retrying cannot help. `answer` is the agent's status code and body.
        case rejected(answer: String)
    }

    private func post(_ call: ExecutorCall, describing what: String, settled: @escaping (CallOutcome) -> Void) {
        guard let channel = callChannel else { return }
        let generation = attempt
        callInFlight = true
        armResponseTimer(what, generation: generation)
        var status = 0
        var body: [UInt8] = []
        channel.send(request(for: call)) { [weak self] part in
            guard let self, generation == attempt else { return }
            switch part {
            case .head(let head):
                status = head.status
            case .body(let bytes):
                body += bytes.prefix(Self.loggedBodyLimit - body.count)
            case .end:
                responseTimer?.cancel()
                responseTimer = nil
                callInFlight = false
                callAnswered(what, status: status, body: String(decoding: body, as: UTF8.self), settled: settled)
            }
        }
    }

    private func callAnswered(_ what: String, status: Int, body: String, settled: (CallOutcome) -> Void) {
        switch status {
        case 200..<300:
            settled(.accepted)
        case 403, 404, 429, 500..<600:
            // 503 while the agent recovers, 403 if it lost our subscription: the call may succeed later.
            Log.warning(
                "The agent answered \(what) with \(status) (\(body)); retrying in \(settings.callRetryInterval)")
            callRetryTimer = loop.schedule(after: settings.callRetryInterval) { [weak self] in
                guard let self else { return }
                callRetryTimer = nil
                pumpCalls()
            }
            return
        default:
            Log.error("The agent rejected \(what) with \(status): \(body)")
            settled(.rejected(answer: "\(status): \(body)"))
        }
        pumpCalls()
    }
}
