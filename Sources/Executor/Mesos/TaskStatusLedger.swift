import EventLoop

/// What the agent has not acknowledged yet, and which updates still have to be POSTed, in order.
///
/// The rules, as the Mesos agent applies them: an update stays unacknowledged until the agent sends ACKNOWLEDGED
/// naming its uuid, which it does once it has checkpointed the update (the 202 answering the POST only means it was
/// queued). The agent treats a task as launched on this executor once any of its updates is acknowledged; until
/// then the executor lists its TaskInfo in SUBSCRIBE's `unacknowledged_tasks`, and an agent that restarted drops a
/// launched task the executor does not list. A (re)SUBSCRIBE carries everything unacknowledged, so subscribing
/// empties the outbox: those updates reach the agent through the SUBSCRIBE, and only updates recorded after it are
/// POSTed. Updates are POSTed one at a time, oldest first, so the agent sees a task's updates in the order the task
/// layer reported them. An update the agent refuses for good (400, 401, 415...) is forgotten here; the executor is
/// told, because its task can then never be acknowledged.
struct TaskStatusLedger {
    /// TaskInfos not acknowledged yet, in launch order.
    private(set) var unacknowledgedTasks: [LaunchedTask] = []
    /// Statuses not acknowledged yet, in the order they were recorded.
    private(set) var unacknowledgedUpdates: [TaskStatus] = []
    /// Uuids of recorded updates still to POST, oldest first; the first is the one in flight, if any.
    private(set) var outbox: [UUIDv4] = []
    /// `TaskInfo.agent_id` of every task seen, for the updates that follow (tasks outlive their acknowledgement).
    private var agentIDs: [String: String] = [:]

    /// Whether any update or task waits for an acknowledgement.
    var isSettled: Bool { unacknowledgedTasks.isEmpty && unacknowledgedUpdates.isEmpty }

    mutating func launched(_ task: LaunchedTask) {
        if let agentID = task.agentID {
            agentIDs[task.taskID] = agentID
        }
        unacknowledgedTasks.removeAll { $0.taskID == task.taskID }
        unacknowledgedTasks.append(task)
    }

    /// The agent id an update of `taskID` may carry (copied from its TaskInfo), if any.
    func agentID(forTask taskID: String) -> String? {
        agentIDs[taskID]
    }

    /// Records a new update and queues it for POSTing.
    mutating func record(_ status: TaskStatus) {
        unacknowledgedUpdates.append(status)
        outbox.append(status.uuid)
    }

    /// The next update to POST, if any.
    var nextToPost: TaskStatus? {
        guard let uuid = outbox.first else { return nil }
        return unacknowledgedUpdates.first { $0.uuid == uuid }
    }

    /// The agent accepted (202) the POST of `uuid`: it leaves the outbox, not the unacknowledged list.
    mutating func posted(_ uuid: UUIDv4) {
        outbox.removeAll { $0 == uuid }
    }

    /// The agent rejected `uuid` for good (a 4xx other than 403): retrying cannot help, and it will never be
    /// acknowledged, so it is forgotten.
    mutating func rejected(_ uuid: UUIDv4) {
        outbox.removeAll { $0 == uuid }
        unacknowledgedUpdates.removeAll { $0.uuid == uuid }
    }

    /// Applies an ACKNOWLEDGED; returns the acknowledged status, or nil for a uuid this executor does not know
    /// (the agent may repeat an acknowledgement after a resubscription).
    mutating func acknowledge(taskID: String, uuid: UUIDv4) -> TaskStatus? {
        guard let index = unacknowledgedUpdates.firstIndex(where: { $0.uuid == uuid }) else { return nil }
        let status = unacknowledgedUpdates.remove(at: index)
        outbox.removeAll { $0 == uuid }
        unacknowledgedTasks.removeAll { $0.taskID == status.taskID }
        return status
    }

    /// The SUBSCRIBE call carrying everything unacknowledged; the outbox is emptied because the SUBSCRIBE delivers it.
    mutating func subscribeCall() -> ExecutorCall {
        outbox.removeAll()
        return .subscribe(
            unacknowledgedTasks: unacknowledgedTasks.map(\.taskInfo),
            unacknowledgedUpdates: unacknowledgedUpdates.map(\.json))
    }
}
