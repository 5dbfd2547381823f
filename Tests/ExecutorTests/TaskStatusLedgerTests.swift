import EventLoop
import Testing

@testable import Executor

struct TaskStatusLedgerTests {
    private func status(_ taskID: String, _ state: TaskState) -> TaskStatus {
        TaskStatus(
            update: .init(taskID: taskID, state: state), executorID: "e", agentID: nil, uuid: .random(), timestamp: 1)
    }

    private func task(_ taskID: String) -> LaunchedTask {
        LaunchedTask(taskID: taskID, agentID: "ag", taskInfo: ["task_id": ["value": .string(taskID)]])
    }

    @Test func updatesArePostedOneAtATimeInOrder() {
        var ledger = TaskStatusLedger()
        let first = status("t", .starting)
        let second = status("t", .running)
        ledger.record(first)
        ledger.record(second)
        #expect(ledger.nextToPost == first)
        ledger.posted(first.uuid)
        #expect(ledger.nextToPost == second)
        ledger.posted(second.uuid)
        #expect(ledger.nextToPost == nil)
        // A 202 is not an acknowledgement.
        #expect(ledger.unacknowledgedUpdates == [first, second])
    }

    @Test func anAcknowledgementSettlesTheUpdateAndItsTask() {
        var ledger = TaskStatusLedger()
        ledger.launched(task("t"))
        let first = status("t", .starting)
        let second = status("t", .running)
        ledger.record(first)
        ledger.record(second)
        #expect(ledger.acknowledge(taskID: "t", uuid: second.uuid) == second)
        #expect(ledger.unacknowledgedTasks.isEmpty)
        #expect(ledger.unacknowledgedUpdates == [first])
        #expect(ledger.nextToPost == first)
        #expect(!ledger.isSettled)
        #expect(ledger.acknowledge(taskID: "t", uuid: first.uuid) == first)
        #expect(ledger.isSettled)
    }

    @Test func anUnknownUUIDIsIgnored() {
        var ledger = TaskStatusLedger()
        ledger.record(status("t", .starting))
        #expect(ledger.acknowledge(taskID: "t", uuid: .random()) == nil)
        #expect(ledger.unacknowledgedUpdates.count == 1)
    }

    @Test func subscribingCarriesEverythingUnacknowledgedAndEmptiesTheOutbox() {
        var ledger = TaskStatusLedger()
        ledger.launched(task("t"))
        let first = status("t", .starting)
        ledger.record(first)
        let call = ledger.subscribeCall()
        #expect(call == .subscribe(unacknowledgedTasks: [task("t").taskInfo], unacknowledgedUpdates: [first.json]))
        #expect(ledger.nextToPost == nil)
        let later = status("t", .running)
        ledger.record(later)
        #expect(ledger.nextToPost == later)
        guard case .subscribe(_, let updates) = ledger.subscribeCall() else { return }
        #expect(updates == [first.json, later.json])
    }

    @Test func aRejectedUpdateIsForgotten() {
        var ledger = TaskStatusLedger()
        let bad = status("t", .starting)
        ledger.record(bad)
        ledger.rejected(bad.uuid)
        #expect(ledger.isSettled)
        #expect(ledger.nextToPost == nil)
    }

    @Test func theAgentIDOfATaskOutlivesItsAcknowledgement() {
        var ledger = TaskStatusLedger()
        ledger.launched(task("t"))
        let first = status("t", .starting)
        ledger.record(first)
        _ = ledger.acknowledge(taskID: "t", uuid: first.uuid)
        #expect(ledger.agentID(forTask: "t") == "ag")
        #expect(ledger.agentID(forTask: "other") == nil)
    }
}
