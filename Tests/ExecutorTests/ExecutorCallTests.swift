import EventLoop
import Testing

@testable import Executor

struct ExecutorCallTests {
    @Test func aFirstSubscribeCarriesAnEmptySubscribeObject() {
        let json = ExecutorCall.subscribe(unacknowledgedTasks: [], unacknowledgedUpdates: [])
            .json(frameworkID: "fw-0001", executorID: "web.1234")
        #expect(
            json.jsonString
                == #"{"executor_id":{"value":"web.1234"},"framework_id":{"value":"fw-0001"},"type":"SUBSCRIBE","#
                + #""subscribe":{}}"#)
    }

    @Test func aResubscribeCarriesTasksAndUpdatesVerbatim() throws {
        let task = try JSON.parse(#"{"name":"web","task_id":{"value":"t1"},"agent_id":{"value":"a"},"z":[1.5]}"#)
        let status = try JSON.parse(
            #"{"task_id":{"value":"t1"},"state":"TASK_RUNNING","uuid":"AAAAAAAAQAAAAAAAAAAAAA=="}"#)
        let json = ExecutorCall.subscribe(unacknowledgedTasks: [task], unacknowledgedUpdates: [status])
            .json(frameworkID: "f", executorID: "e")
        #expect(json["subscribe"]?["unacknowledged_tasks"] == [task])
        #expect(json["subscribe"]?["unacknowledged_updates"] == [["status": status]])
        #expect(json["subscribe"]?["unacknowledged_tasks"]?[0]?.jsonString == task.jsonString)
    }

    @Test func anUpdateWrapsTheStatus() {
        let status: JSONValue = ["task_id": ["value": "t1"], "state": "TASK_RUNNING"]
        let json = ExecutorCall.update(status: status).json(frameworkID: "f", executorID: "e")
        #expect(json["type"] == "UPDATE")
        #expect(json["update"] == ["status": status])
        #expect(json["executor_id"] == ["value": "e"])
        #expect(json["framework_id"] == ["value": "f"])
    }

    @Test func aMessageIsBase64AndAHeartbeatHasNoPayload() {
        let message = ExecutorCall.message(data: Array("hi!".utf8)).json(frameworkID: "f", executorID: "e")
        #expect(message["message"] == ["data": "aGkh"])
        let heartbeat = ExecutorCall.heartbeat.json(frameworkID: "f", executorID: "e")
        #expect(heartbeat.objectValue?.keys == ["executor_id", "framework_id", "type"])
        #expect(heartbeat["type"] == "HEARTBEAT")
    }
}
