import EventLoop
import Foundation

/// A small v1 scheduler (HTTP JSON on the master's `/api/v1/scheduler`) for the real-agent suite: SUBSCRIBE and its
/// RecordIO event stream on a reader thread; ACCEPT with LAUNCH for the tasks waiting to be placed, DECLINE of the
/// offers it does not need (then REVIVE when a task waits again); ACKNOWLEDGE of every update with a uuid (unless
/// told not to); KILL; TEARDOWN. Everything it receives is recorded, in order, for the tests to read.
final class MesosTestScheduler: @unchecked Sendable {
    /// One UPDATE event's status, as the scheduler received it.
    struct Update: CustomStringConvertible {
        var taskID: String
        var state: String
        var reason: String?
        var message: String?
        var source: String?
        var healthy: Bool?
        var uuid: String?
        var agentID: String?
        var json: JSONValue

        var description: String {
            "\(taskID) \(state)\(reason.map { " \($0)" } ?? "")\(healthy.map { " healthy=\($0)" } ?? "")"
                + "\(message.map { ": \($0)" } ?? "")"
        }
    }

    /// A FAILURE event about an executor: its wait status as the agent saw it.
    struct ExecutorExit {
        var executorID: String
        var status: Int32?
    }

    /// A launch waiting for an offer: the tasks for an agent id (all go in one ACCEPT), and their resources.
    private struct PendingLaunch {
        var build: (String) -> [JSONValue]
        var cpus: Double
        var mem: Double
    }

    let name: String
    let master: String
    private let condition = NSCondition()
    private var fd: Int32 = -1
    private var reader: Thread?
    private(set) var frameworkID = ""
    private var streamID = ""
    private var pending: [PendingLaunch] = []
    private var recordedUpdates: [Update] = []
    private var recordedExits: [ExecutorExit] = []
    private var recordedErrors: [String] = []
    private var closed = false
    /// Whether updates with a uuid are acknowledged as they arrive.
    var acknowledges = true

    /// Subscribes a checkpointing framework with `capabilities`; returns once SUBSCRIBED arrived.
    init(name: String, capabilities: [String]) throws {
        self.name = name
        master = RealMesosCluster.master
        let frameworkInfo: JSONValue = [
            "user": "root", "name": .string(name), "checkpoint": true, "failover_timeout": 0,
            "capabilities": .array(capabilities.map { ["type": .string($0)] }),
        ]
        let body: JSONValue = ["type": "SUBSCRIBE", "subscribe": ["framework_info": frameworkInfo]]
        fd = try MesosHTTP.connect(master)
        try MesosHTTP.sendAll(
            fd,
            MesosHTTP.request(
                "/api/v1/scheduler", host: master, body: String(decoding: body.serialized(), as: UTF8.self)))
        let reader = MesosHTTP.Reader(fd: fd)
        let head = try reader.head()
        guard head.status == 200, let stream = head.headers["mesos-stream-id"] else {
            throw MesosHTTP.Failure(description: "the master answered SUBSCRIBE with \(head.status)")
        }
        streamID = stream
        let thread = Thread { [weak self] in self?.readEvents(reader) }
        thread.name = "scheduler-\(name)"
        self.reader = thread
        thread.start()
        guard wait(timeout: 30, until: { !$0.frameworkID.isEmpty }) else {
            close()
            throw MesosHTTP.Failure(description: "no SUBSCRIBED from the master within 30 s")
        }
    }

    // MARK: - Calls

    @discardableResult
    private func call(_ type: String, _ payload: [String: JSONValue] = [:]) throws -> MesosHTTP.Response {
        var body: [String: JSONValue] = ["framework_id": ["value": .string(frameworkID)], "type": .string(type)]
        body.merge(payload) { $1 }
        let response = try MesosHTTP.post(
            "/api/v1/scheduler", to: master,
            body: String(
                decoding: JSONValue.object(JSONObject(body.map { ($0.key, $0.value) })).serialized(), as: UTF8.self),
            headers: ["Mesos-Stream-Id": streamID])
        guard response.status == 202 else {
            throw MesosHTTP.Failure(description: "\(type) answered \(response.status): \(response.body)")
        }
        return response
    }

    /// Queues tasks to launch together on the next offer with room for them; `build` gets the agent id.
    func launch(cpus: Double, mem: Double, _ build: @escaping (String) -> [JSONValue]) throws {
        condition.withLock { pending.append(PendingLaunch(build: build, cpus: cpus, mem: mem)) }
        try call("REVIVE")
    }

    func kill(taskID: String, agentID: String, grace: Duration?) throws {
        var kill: [String: JSONValue] = [
            "task_id": ["value": .string(taskID)], "agent_id": ["value": .string(agentID)],
        ]
        if let grace {
            kill["kill_policy"] = ["grace_period": ["nanoseconds": .int(Int64(grace.nanosecondsValue))]]
        }
        try call("KILL", ["kill": .object(JSONObject(kill.map { ($0.key, $0.value) }))])
    }

    func acknowledge(_ update: Update) throws {
        guard let uuid = update.uuid, let agentID = update.agentID else { return }
        try call(
            "ACKNOWLEDGE",
            [
                "acknowledge": [
                    "agent_id": ["value": .string(agentID)], "task_id": ["value": .string(update.taskID)],
                    "uuid": .string(uuid),
                ]
            ])
    }

    func tearDown() throws { try call("TEARDOWN") }

    // MARK: - Records

    var updates: [Update] { condition.withLock { recordedUpdates } }
    var executorExits: [ExecutorExit] { condition.withLock { recordedExits } }
    var errors: [String] { condition.withLock { recordedErrors } }

    func updates(of taskID: String) -> [Update] { updates.filter { $0.taskID == taskID } }

    /// Waits until `predicate` holds (checked whenever an event arrives); false after `timeout` seconds.
    func wait(timeout: Double, until predicate: (MesosTestScheduler) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if predicate(self) { return true }
            // A wake-up lost between the check and the wait costs at most half a second.
            let over = condition.withLock { () -> Bool in
                if closed { return true }
                _ = condition.wait(until: min(deadline, Date().addingTimeInterval(0.5)))
                return Date() >= deadline
            }
            if over { return predicate(self) }
        }
    }

    /// Waits for an update of `taskID` in `state`; returns it.
    func waitForUpdate(_ taskID: String, _ state: String, timeout: Double = 60) -> Update? {
        _ = wait(timeout: timeout) { $0.updates(of: taskID).contains { $0.state == state } }
        return updates(of: taskID).first { $0.state == state }
    }

    /// Waits for the terminal update of `taskID`.
    func waitForTerminal(_ taskID: String, timeout: Double = 60) -> Update? {
        _ = wait(timeout: timeout) { $0.updates(of: taskID).contains { Self.terminal.contains($0.state) } }
        return updates(of: taskID).first { Self.terminal.contains($0.state) }
    }

    func waitForExit(of executorID: String, timeout: Double = 60) -> ExecutorExit? {
        _ = wait(timeout: timeout) { $0.executorExits.contains { $0.executorID == executorID } }
        return executorExits.first { $0.executorID == executorID }
    }

    static let terminal: Set<String> = [
        "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_GONE",
    ]

    /// Ends the subscription: the framework (failover timeout 0) is removed and its executors shut down.
    func close() {
        condition.withLock {
            guard !closed else { return }
            closed = true
            shutdown(fd, Int32(SHUT_RDWR))
            condition.broadcast()
        }
    }

    deinit {
        close()
        if fd >= 0 { Glibc.close(fd) }
    }

    // MARK: - Events (reader thread)

    private func readEvents(_ reader: MesosHTTP.Reader) {
        var records: [UInt8] = []
        do {
            while let chunk = try reader.chunk() {
                records += chunk
                while let newline = records.firstIndex(of: UInt8(ascii: "\n")),
                    let length = Int(String(decoding: records[..<newline], as: UTF8.self)),
                    records.count > newline + length
                {
                    let json = try JSON.parse(Array(records[(newline + 1)...(newline + length)]))
                    records.removeFirst(newline + 1 + length)
                    handle(json)
                }
            }
        } catch {
            condition.withLock { if !closed { recordedErrors.append("event stream: \(error)") } }
        }
        condition.withLock {
            closed = true
            condition.broadcast()
        }
    }

    private func handle(_ event: JSONValue) {
        switch event["type"]?.stringValue {
        case "SUBSCRIBED":
            condition.withLock {
                frameworkID = event["subscribed"]?["framework_id"]?["value"]?.stringValue ?? ""
                condition.broadcast()
            }
        case "OFFERS":
            for offer in event["offers"]?["offers"]?.arrayValue ?? [] { answer(offer) }
        case "UPDATE":
            let status = event["update"]?["status"] ?? .null
            let update = Update(
                taskID: status["task_id"]?["value"]?.stringValue ?? "", state: status["state"]?.stringValue ?? "",
                reason: status["reason"]?.stringValue, message: status["message"]?.stringValue,
                source: status["source"]?.stringValue, healthy: status["healthy"]?.boolValue,
                uuid: status["uuid"]?.stringValue, agentID: status["agent_id"]?["value"]?.stringValue, json: status)
            condition.withLock {
                recordedUpdates.append(update)
                condition.broadcast()
            }
            if acknowledges { record { try acknowledge(update) } }
        case "FAILURE":
            guard let executorID = event["failure"]?["executor_id"]?["value"]?.stringValue else { return }
            let status = event["failure"]?["status"]?.int64Value.map { Int32(truncatingIfNeeded: $0) }
            condition.withLock {
                recordedExits.append(ExecutorExit(executorID: executorID, status: status))
                condition.broadcast()
            }
        case "ERROR":
            condition.withLock {
                recordedErrors.append("ERROR event: \(event["error"]?["message"]?.stringValue ?? "")")
                condition.broadcast()
            }
        default:
            break
        }
    }

    /// Places as many waiting launches as the offer holds; declines it for a few seconds when none waits.
    private func answer(_ offer: JSONValue) {
        let offerID = offer["id"] ?? .null
        let agentID = offer["agent_id"]?["value"]?.stringValue ?? ""
        var cpus = 0.0
        var mem = 0.0
        for resource in offer["resources"]?.arrayValue ?? [] {
            let value = resource["scalar"]?["value"]?.doubleValue ?? 0
            if resource["name"] == "cpus" { cpus += value }
            if resource["name"] == "mem" { mem += value }
        }
        let chosen: [PendingLaunch] = condition.withLock {
            var taken: [PendingLaunch] = []
            while let next = pending.first, next.cpus <= cpus + 1e-9, next.mem <= mem {
                cpus -= next.cpus
                mem -= next.mem
                taken.append(pending.removeFirst())
            }
            return taken
        }
        if chosen.isEmpty {
            record {
                try call("DECLINE", ["decline": ["offer_ids": [offerID], "filters": ["refuse_seconds": 5]]])
                // A launch queued while this offer was being declined may have sent its REVIVE before the DECLINE's
                // filter was set: revive again, so that it gets an offer now.
                if condition.withLock({ !pending.isEmpty }) { try call("REVIVE") }
            }
            return
        }
        let tasks = chosen.flatMap { $0.build(agentID) }
        let operation: JSONValue = ["type": "LAUNCH", "launch": ["task_infos": .array(tasks)]]
        record {
            try call(
                "ACCEPT",
                ["accept": ["offer_ids": [offerID], "operations": [operation], "filters": ["refuse_seconds": 0]]])
        }
    }

    private func record(_ body: () throws -> Void) {
        do {
            try body()
        } catch {
            condition.withLock {
                recordedErrors.append("\(error)")
                condition.broadcast()
            }
        }
    }
}
