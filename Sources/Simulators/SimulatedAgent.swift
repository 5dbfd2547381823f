import EventLoop
import Glibc

/// A Mesos agent's `/api/v1/executor` endpoint, as strict as the real one, for tests, the demo and the benchmarks.
///
/// Calls are checked in the real agent's order with its status codes and messages (`SimulatedAgentValidation`).
/// SUBSCRIBE gets a 200 chunked RecordIO stream, one event per chunk: SUBSCRIBED, then the queued LAUNCHes. Calls get
/// 202 with `Content-Length: 0`; after each valid UPDATE the agent sends ACKNOWLEDGED on the current stream, unless
/// the update names another agent or a task the agent never launched (the real agent never ACKs those). A new
/// SUBSCRIBE closes the previous stream and re-processes its `unacknowledged_updates` like fresh UPDATEs.
///
/// Like the real agent (MESOS-8411), it shuts down an executor that subscribes without ever having had a task:
/// queue a LAUNCH before the executor subscribes, or turn `shutsDownIdleExecutor` off.
///
/// Also like the real agent: only `/api/v1/executor` and `/slave(1)/api/v1/executor` exist (404 elsewhere); with an
/// `authenticationToken`, a call without that bearer token gets 401; the executor must subscribe within
/// `registrationTimeout` of `start()` and, after `restart()`, resubscribe within `reregistrationTimeout`, or it is
/// destroyed (`SimulatedAgent+Lifecycle`).
///
/// Thread-safe: the server's connection threads and the test's controls share one lock, and events are written to
/// the stream under it, so they go out in the order they were decided.
public final class SimulatedAgent: @unchecked Sendable {
    /// How the agent treats connections and calls, for simulating a restart.
    public enum Availability: Sendable, Equatable {
        case normal
        /// New connections are closed at once and requests on open ones are dropped unanswered (agent down).
        case refusingConnections
        /// Every call, SUBSCRIBE included, gets this status (503: recovering under `--recover=cleanup`;
        /// 404: the route is not installed yet while the agent starts).
        case answering(status: Int)
    }

    /// How `dropStream` ends the current SUBSCRIBE response.
    public enum StreamDrop: Sendable {
        /// The terminating chunk: the agent closed the stream (as it does for a resubscription).
        case finish
        /// A FIN in the middle of the chunked body: the agent process went away.
        case close
        /// A TCP reset.
        case reset
    }

    public let frameworkID: String
    public let executorID: String
    public let agentID: String
    public let hostname: String
    /// Whether the framework checkpoints (SUBSCRIBED's `framework_info.checkpoint`; the default environment).
    public let checkpoint: Bool
    /// `framework_info.capabilities` types, e.g. `TASK_KILLING_STATE`.
    public let capabilities: [String]
    public let containerID: String
    /// When set, every call must carry `Authorization: Bearer <token>` (`--authenticate_http_executors`).
    public let authenticationToken: String?
    /// `--executor_registration_timeout`: from `start()` to the first SUBSCRIBE.
    public let registrationTimeout: Duration
    /// `--executor_reregistration_timeout`: from `restart()` to the resubscription.
    public let reregistrationTimeout: Duration

    let server: BlockingHTTPServer
    let lock = ConditionLock()
    // Everything below is guarded by `lock`.
    var stream: ChunkedStream?
    var streamResponder: HTTPResponder?
    var executorSubscribed = false
    var recoveringState = false
    var availabilityState = Availability.normal
    var withholding = false
    var idleShutdown = true
    var masterHostnameState: String?
    var stalling = false
    var callsToDrop = 0
    var queuedLaunches: [JSONValue] = []
    /// Task id to its last state at the agent (`TASK_STAGING` once launched).
    var taskStates: [String: String] = [:]
    var recordedCalls: [RecordedCall] = []
    var recordedUpdates: [JSONValue] = []
    var agentUpdates: [JSONValue] = []
    var withheldAcknowledgements: [JSONValue] = []
    var sentEvents: [JSONValue] = []
    var subscriptions = 0
    /// The executor must (re)subscribe before this instant, or it is destroyed.
    var subscribeDeadline: (instant: ContinuousClock.Instant, reason: String, timeout: Duration)?
    /// Set once the executor was destroyed: the answer every later call gets.
    var executorRemoved = false
    /// After `tearDownFramework()`: SUBSCRIBE gets a stream with only SHUTDOWN, updates are never acknowledged.
    var frameworkTerminating = false

    public init(
        frameworkID: String = "fw-0001", executorID: String = "web.1234", agentID: String = "ag-S3",
        hostname: String = "agent7.example", checkpoint: Bool = true,
        capabilities: [String] = ["TASK_KILLING_STATE", "PARTITION_AWARE", "MULTI_ROLE"],
        authenticationToken: String? = nil, registrationTimeout: Duration = .seconds(60),
        reregistrationTimeout: Duration = .seconds(2)
    ) throws(SimulatorSocketError) {
        self.frameworkID = frameworkID
        self.executorID = executorID
        self.agentID = agentID
        self.hostname = hostname
        self.checkpoint = checkpoint
        self.capabilities = capabilities
        containerID = UUIDv4.random().description
        self.authenticationToken = authenticationToken
        self.registrationTimeout = registrationTimeout
        self.reregistrationTimeout = reregistrationTimeout
        server = try BlockingHTTPServer()
        server.handler = { [weak self] request, responder in
            guard let self else {
                responder.respond(status: 503)
                return
            }
            self.handle(request, responder)
        }
    }

    /// Starts serving; the executor's registration timeout starts now, as if the agent had just launched it.
    public func start() {
        lock.withLock {
            subscribeDeadline = (
                ContinuousClock.now + registrationTimeout, "REASON_EXECUTOR_REGISTRATION_TIMEOUT", registrationTimeout
            )
        }
        server.start()
    }

    /// Closes every connection and joins the server's threads.
    public func stop() { server.stop() }

    /// `127.0.0.1:PORT`, the value of `MESOS_AGENT_ENDPOINT`.
    public var endpointString: String { server.endpointString }

    /// The `MESOS_*` environment the agent gives an executor it launches (slave.cpp `executorEnvironment`).
    public func environment(
        sandbox: String, executorID: String? = nil, frameworkID: String? = nil, checkpoint: Bool? = nil,
        recoveryTimeout: Duration = .seconds(15 * 60), subscriptionBackoffMax: Duration = .seconds(2),
        shutdownGracePeriod: Duration = .seconds(5)
    ) -> [String: String] {
        var environment = [
            "MESOS_AGENT_ENDPOINT": endpointString,
            "MESOS_FRAMEWORK_ID": frameworkID ?? self.frameworkID,
            "MESOS_EXECUTOR_ID": executorID ?? self.executorID,
            "MESOS_DIRECTORY": sandbox,
            "MESOS_SANDBOX": sandbox,
            "MESOS_SLAVE_ID": agentID,
            "MESOS_SLAVE_PID": "slave(1)@\(endpointString)",
            "MESOS_CHECKPOINT": (checkpoint ?? self.checkpoint) ? "1" : "0",
            "MESOS_HTTP_COMMAND_EXECUTOR": "0",
            "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD": shutdownGracePeriod.mesosDescription,
        ]
        if let authenticationToken {
            environment["MESOS_EXECUTOR_AUTHENTICATION_TOKEN"] = authenticationToken
        }
        if checkpoint ?? self.checkpoint {
            environment["MESOS_RECOVERY_TIMEOUT"] = recoveryTimeout.mesosDescription
            environment["MESOS_SUBSCRIPTION_BACKOFF_MAX"] = subscriptionBackoffMax.mesosDescription
        }
        return environment
    }

    /// slave.cpp `subscribe`: close the previous stream, re-process the unacknowledged updates, drop launched tasks
    /// the executor does not list, then SUBSCRIBED and the queued LAUNCHes.
    func handleSubscribe(_ subscribe: JSONObject, _ responder: HTTPResponder) {
        if let previous = stream {
            previous.finish()
        }
        if frameworkTerminating {
            // The agent answers a terminating framework's executor with one SHUTDOWN and closes the stream.
            let only = responder.startChunkedStream(
                status: 200, headers: [("Content-Type", "application/json"), ("Date", Self.httpDate())])
            let event: JSONValue = ["type": "SHUTDOWN"]
            sentEvents.append(event)
            _ = only.send(RecordIO.encode(event.serialized()))
            _ = only.finish()
            stream = nil
            streamResponder = nil
            return
        }
        subscribeDeadline = nil
        stream = responder.startChunkedStream(
            status: 200, headers: [("Content-Type", "application/json"), ("Date", Self.httpDate())])
        streamResponder = responder
        let resubscription = executorSubscribed
        executorSubscribed = true
        subscriptions += 1
        let listedTasks = Set(
            (subscribe["unacknowledged_tasks"]?.arrayValue ?? []).compactMap { $0["task_id"]?["value"]?.stringValue })
        for taskID in listedTasks where taskStates[taskID] == nil {
            taskStates[taskID] = "TASK_STAGING"
        }
        var acknowledgements: [JSONValue] = []
        for update in subscribe["unacknowledged_updates"]?.arrayValue ?? [] {
            if let status = update["status"], let ack = accept(status) {
                acknowledgements.append(ack)
            }
        }
        if resubscription {
            dropStagingTasks(except: listedTasks)
        }
        let idle = taskStates.isEmpty && queuedLaunches.isEmpty
        send(
            SimulatedAgentJSON.subscribed(
                executorID: executorID, frameworkID: frameworkID, agentID: agentID, hostname: hostname,
                checkpoint: checkpoint, capabilities: capabilities, containerID: containerID))
        if idle && idleShutdown {
            send(["type": "SHUTDOWN"])
            return
        }
        for launch in queuedLaunches {
            sendLaunch(launch)
        }
        queuedLaunches = []
        for ack in acknowledgements {
            acknowledge(ack)
        }
    }

    /// Tasks launched on an earlier stream that never got an update and that the executor does not list become
    /// TASK_DROPPED (TASK_LOST for a framework that is not partition-aware), as the real agent decides.
    private func dropStagingTasks(except listed: Set<String>) {
        let state = capabilities.contains("PARTITION_AWARE") ? "TASK_DROPPED" : "TASK_LOST"
        for (taskID, current) in taskStates.sorted(by: { $0.key < $1.key })
        where current == "TASK_STAGING" && !listed.contains(taskID) {
            taskStates[taskID] = state
            agentUpdates.append([
                "task_id": ["value": .string(taskID)], "state": .string(state),
                "message": "Task launched during agent restart",
                "source": "SOURCE_AGENT", "reason": "REASON_AGENT_RESTARTED",
            ])
        }
    }

    func processUpdate(_ status: JSONValue) {
        if frameworkTerminating {
            // "Ignoring status update ... for terminating framework": accepted (202), never acknowledged.
            recordedUpdates.append(status)
            return
        }
        if let ack = accept(status) {
            acknowledge(ack)
        }
    }

    /// Records an update; returns the ACKNOWLEDGED to send, or nil when the real agent would never ACK it.
    private func accept(_ status: JSONValue) -> JSONValue? {
        recordedUpdates.append(status)
        guard let taskID = status["task_id"]?["value"]?.stringValue, let uuid = status["uuid"]?.stringValue else {
            return nil
        }
        // A foreign agent id makes the agent drop the update silently.
        if let claimed = status["agent_id"]?["value"]?.stringValue, claimed != agentID {
            return nil
        }
        // An update for a task the agent cannot map to this executor is forwarded but never ACKed.
        guard let current = taskStates[taskID] else { return nil }
        let terminal: Set<String> = [
            "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_GONE",
            "TASK_GONE_BY_OPERATOR",
        ]
        // After a terminal state a different one is "unexpected": ACKed but not recorded as the task's state.
        if !terminal.contains(current), let state = status["state"]?.stringValue {
            taskStates[taskID] = state
        }
        return SimulatedAgentJSON.acknowledged(taskID: taskID, uuid: uuid)
    }

    private func acknowledge(_ ack: JSONValue) {
        if withholding {
            withheldAcknowledgements.append(ack)
        } else {
            send(ack)
        }
    }

    func sendLaunch(_ taskInfo: JSONValue) {
        if let taskID = taskInfo["task_id"]?["value"]?.stringValue {
            taskStates[taskID] = "TASK_STAGING"
        }
        send(["type": "LAUNCH", "launch": ["task": taskInfo]])
    }

    /// Writes one event as one chunk; false (and the event is lost, as with the real agent) without a stream.
    @discardableResult
    func send(_ event: JSONValue) -> Bool {
        guard let stream, stream.isOpen else { return false }
        sentEvents.append(event)
        return stream.send(RecordIO.encode(event.serialized()))
    }

    /// The `Date` header value, e.g. `Tue, 04 Jun 2024 10:00:00 GMT`.
    static func httpDate() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
