import EventLoop

/// One request the simulated agent received, with its answer.
public struct RecordedCall: Sendable {
    public var request: HTTPServerRequest
    /// The body parsed as JSON, when it is JSON.
    public var json: JSONValue?
    /// The call's `type`, when the body has one.
    public var type: String?
    /// The status answered (200 for an accepted SUBSCRIBE, 0 when dropped unanswered).
    public var status: Int
    /// The error message answered, empty on success.
    public var message: String
}

// MARK: - Test controls

extension SimulatedAgent {
    /// Queues a LAUNCH of `task`: sent now when the executor is subscribed with an open stream, otherwise after the
    /// SUBSCRIBED of the next subscription.
    public func launch(_ task: SimulatedAgentTask) {
        launch(taskInfo: task.taskInfo(agentID: agentID, executorID: executorID, frameworkID: frameworkID))
    }

    /// `launch` with a TaskInfo built by hand.
    public func launch(taskInfo: JSONValue) {
        lock.withLock {
            if executorSubscribed, let stream, stream.isOpen {
                sendLaunch(taskInfo)
            } else {
                queuedLaunches.append(taskInfo)
            }
            lock.broadcast()
        }
    }

    /// Sends LAUNCH_GROUP with `tasks` on the current stream; false without one.
    @discardableResult
    public func launchGroup(_ tasks: [SimulatedAgentTask]) -> Bool {
        let infos = tasks.map { $0.taskInfo(agentID: agentID, executorID: executorID, frameworkID: frameworkID) }
        return sendEvent(
            ["type": "LAUNCH_GROUP", "launch_group": ["task_group": ["tasks": .array(infos)]]],
            marking: infos.compactMap { $0["task_id"]?["value"]?.stringValue })
    }

    /// Sends KILL, with a kill_policy when `gracePeriod` is given.
    @discardableResult
    public func kill(taskID: String, gracePeriod: Duration? = nil) -> Bool {
        sendEvent(SimulatedAgentJSON.kill(taskID: taskID, gracePeriod: gracePeriod))
    }

    @discardableResult
    public func shutdown() -> Bool { sendEvent(["type": "SHUTDOWN"]) }

    @discardableResult
    public func message(_ data: [UInt8]) -> Bool {
        sendEvent(["type": "MESSAGE", "message": ["data": .string(Base64.encode(data))]])
    }

    @discardableResult
    public func heartbeat() -> Bool { sendEvent(["type": "HEARTBEAT"]) }

    /// Sends any event (e.g. an ERROR or a type the executor does not know) as one RecordIO record in one chunk.
    @discardableResult
    public func sendEvent(_ event: JSONValue) -> Bool { sendEvent(event, marking: []) }

    private func sendEvent(_ event: JSONValue, marking launched: [String]) -> Bool {
        lock.withLock {
            for taskID in launched { taskStates[taskID] = "TASK_STAGING" }
            defer { lock.broadcast() }
            return send(event)
        }
    }

    /// Writes `bytes` as one chunk of the stream, for malformed RecordIO or JSON.
    @discardableResult
    public func sendRawChunk(_ bytes: [UInt8]) -> Bool {
        lock.withLock { stream?.send(bytes) ?? false }
    }

    /// Writes `bytes` into the response body with no chunk framing, for broken chunked encoding.
    @discardableResult
    public func writeRawToStream(_ bytes: [UInt8]) -> Bool {
        lock.withLock { streamResponder?.writeRaw(bytes) ?? false }
    }

    /// Ends the current SUBSCRIBE response; the executor stays subscribed at the agent (the real agent does nothing
    /// when an HTTP executor's stream drops), so UPDATEs are still accepted.
    public func dropStream(_ how: StreamDrop = .close) {
        lock.withLock {
            switch how {
            case .finish: stream?.finish()
            case .close: streamResponder?.closeWithoutAnswer()
            case .reset: stream?.abort()
            }
            stream = nil
            streamResponder = nil
            lock.broadcast()
        }
    }

    /// See `Availability`. Going to `.refusingConnections` also closes the stream, as a dying agent does.
    public var availability: Availability {
        get { lock.withLock { availabilityState } }
        set {
            if newValue == .refusingConnections {
                dropStream(.close)
            }
            lock.withLock { availabilityState = newValue }
            server.dropsNewConnections = newValue == .refusingConnections
        }
    }

    /// While true, non-SUBSCRIBE calls get 503 "Agent has not finished recovery".
    public var recovering: Bool {
        get { lock.withLock { recoveringState } }
        set { lock.withLock { recoveringState = newValue } }
    }

    /// While true, ACKNOWLEDGED events are held back (`releaseWithheldAcknowledgements` sends them).
    public var withholdsAcknowledgements: Bool {
        get { lock.withLock { withholding } }
        set { lock.withLock { withholding = newValue } }
    }

    /// Sends the acknowledgements held back so far on the current stream; returns how many were sent.
    @discardableResult
    public func releaseWithheldAcknowledgements() -> Int {
        lock.withLock {
            let held = withheldAcknowledgements
            withheldAcknowledgements = []
            defer { lock.broadcast() }
            return held.filter { send($0) }.count
        }
    }

    /// Closes the connection of the next `count` calls other than SUBSCRIBE without answering them (the call
    /// connection dropping under the executor).
    public func dropNextCalls(_ count: Int = 1) {
        lock.withLock { callsToDrop += count }
    }

    /// While true, calls other than SUBSCRIBE are never answered (a hung agent); their connection stays open.
    public var leavesCallsUnanswered: Bool {
        get { lock.withLock { stalling } }
        set { lock.withLock { stalling = newValue } }
    }

    /// Whether SUBSCRIBE of an executor that never had a task is answered with SUBSCRIBED then SHUTDOWN (MESOS-8411).
    public var shutsDownIdleExecutor: Bool {
        get { lock.withLock { idleShutdown } }
        set { lock.withLock { idleShutdown = newValue } }
    }
}

// MARK: - Records

extension SimulatedAgent {
    /// Every request received, in arrival order.
    public var calls: [RecordedCall] { lock.withLock { recordedCalls } }

    /// Every TaskStatus accepted (POSTed UPDATEs and SUBSCRIBE's re-processed ones), in processing order.
    public var updates: [JSONValue] { lock.withLock { recordedUpdates } }

    /// Updates the agent generated itself (TASK_DROPPED/TASK_LOST of tasks launched during a restart).
    public var agentGeneratedUpdates: [JSONValue] {
        lock.withLock {
            expireOverdueExecutor(now: .now)
            return agentUpdates
        }
    }

    /// Every event written to a stream, in order.
    public var events: [JSONValue] { lock.withLock { sentEvents } }

    /// How many SUBSCRIBE calls were accepted.
    public var subscriptionCount: Int { lock.withLock { subscriptions } }

    /// Whether a SUBSCRIBE response is streaming now.
    public var hasOpenStream: Bool { lock.withLock { stream?.isOpen ?? false } }

    /// The agent's view of each task's state.
    public var taskStatesByID: [String: String] { lock.withLock { taskStates } }

    /// What the agent has seen and done, taken under its lock.
    public struct Snapshot: Sendable {
        public var calls: [RecordedCall]
        public var updates: [JSONValue]
        public var events: [JSONValue]
        public var subscriptionCount: Int
        public var hasOpenStream: Bool
        public var taskStates: [String: String]
    }

    /// A consistent view of the records.
    public var snapshot: Snapshot { lock.withLock { takeSnapshot() } }

    private func takeSnapshot() -> Snapshot {
        Snapshot(
            calls: recordedCalls, updates: recordedUpdates, events: sentEvents, subscriptionCount: subscriptions,
            hasOpenStream: stream?.isOpen ?? false, taskStates: taskStates)
    }

    /// Waits until `predicate` holds for a snapshot (taken after every change); false on timeout.
    public func wait(timeout: Duration = .seconds(10), until predicate: (Snapshot) -> Bool) -> Bool {
        lock.withLock {
            lock.wait(timeout: timeout) { predicate(takeSnapshot()) }
        }
    }

    /// Waits until `count` calls of `type` (any when nil) were received; returns them, or nil on timeout.
    public func waitForCalls(_ type: String? = nil, count: Int, timeout: Duration = .seconds(10)) -> [RecordedCall]? {
        lock.withLock {
            let matching = { self.recordedCalls.filter { type == nil || $0.type == type } }
            return lock.wait(timeout: timeout) { matching().count >= count } ? matching() : nil
        }
    }

    /// Waits until `count` updates were accepted; returns them all, or nil on timeout.
    public func waitForUpdates(count: Int, timeout: Duration = .seconds(10)) -> [JSONValue]? {
        lock.withLock {
            lock.wait(timeout: timeout) { recordedUpdates.count >= count } ? recordedUpdates : nil
        }
    }
}
