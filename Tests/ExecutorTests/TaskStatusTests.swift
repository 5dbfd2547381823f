import EventLoop
import Testing

@testable import Executor

struct TaskStatusTests {
    private let uuid = UUIDv4(bytes: [
        0x9F, 0x64, 0x07, 0xF2, 0x4D, 0x58, 0x42, 0xAD, 0x9C, 0x67, 0x75, 0x74, 0x77, 0x4C, 0x79, 0x02,
    ])!

    @Test func aBareUpdateCarriesSourceExecutorIDUUIDAndTimestamp() {
        let status = TaskStatus(
            update: TaskStatusUpdate(taskID: "web.a1b2", state: .starting), executorID: "web.1234", agentID: nil,
            uuid: uuid, timestamp: 1_717_495_200.125)
        #expect(
            status.json.jsonString
                == #"{"task_id":{"value":"web.a1b2"},"state":"TASK_STARTING","source":"SOURCE_EXECUTOR","#
                + #""executor_id":{"value":"web.1234"},"timestamp":1717495200.125,"uuid":"n2QH8k1YQq2cZ3V0d0x5Ag=="}"#)
        #expect(status.json["agent_id"] == nil)
    }

    @Test func everyKnownFactIsEncoded() throws {
        let update = TaskStatusUpdate(
            taskID: "web.a1b2", state: .running, message: "container started", reason: .healthCheckStatusUpdated,
            healthy: true, labels: [.init(key: "docker_id", value: "3f2a")],
            containerIPAddresses: ["172.17.0.5", "fd00::5"])
        let status = TaskStatus(update: update, executorID: "e", agentID: "ag-S3", uuid: uuid, timestamp: 1.5)
        let json = status.json
        #expect(
            json.objectValue?.keys == [
                "task_id", "state", "message", "source", "reason", "agent_id", "executor_id", "timestamp", "uuid",
                "healthy", "labels", "container_status",
            ])
        #expect(json["message"] == "container started")
        #expect(json["reason"] == "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED")
        #expect(json["agent_id"]?["value"] == "ag-S3")
        #expect(json["healthy"] == true)
        #expect(json["labels"]?["labels"]?[0]?["key"] == "docker_id")
        #expect(json["labels"]?["labels"]?[0]?["value"] == "3f2a")
        let addresses = json["container_status"]?["network_infos"]?[0]?["ip_addresses"]
        #expect(addresses?[0] == ["protocol": "IPv4", "ip_address": "172.17.0.5"])
        #expect(addresses?[1] == ["protocol": "IPv6", "ip_address": "fd00::5"])
    }

    @Test func theUUIDIsSixteenBinaryBytesInBase64() throws {
        let status = TaskStatus(
            update: .init(taskID: "t", state: .finished), executorID: "e", agentID: nil, uuid: .random(),
            timestamp: 0)
        let text = try #require(status.json["uuid"]?.stringValue)
        #expect(text.count == 24)
        #expect(text.hasSuffix("=="))
        #expect(try Base64.decode(text).count == 16)
    }

    @Test func anUnhealthyTerminalUpdateSaysSo() {
        let update = TaskStatusUpdate(
            taskID: "t", state: .failed, message: "Sidecar reported the service UNHEALTHY",
            reason: .healthCheckStatusUpdated,
            healthy: false)
        let json = TaskStatus(update: update, executorID: "e", agentID: nil, uuid: uuid, timestamp: 2).json
        #expect(json["state"] == "TASK_FAILED")
        #expect(json["healthy"] == false)
    }
}
