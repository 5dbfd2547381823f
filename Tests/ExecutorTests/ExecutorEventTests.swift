import EventLoop
import Testing

@testable import Executor

struct ExecutorEventTests {
    private func decode(_ text: String) throws -> ExecutorEvent {
        try ExecutorEvent.decode(try JSON.parse(text))
    }

    private func decodeError(_ text: String) -> ExecutorEventError? {
        do {
            _ = try ExecutorEvent.decode(try JSON.parse(text))
            return nil
        } catch let error as ExecutorEventError {
            return error
        } catch {
            return nil
        }
    }

    static let subscribed = """
        {"type":"SUBSCRIBED","subscribed":{"executor_info":{"type":"CUSTOM","executor_id":{"value":"web.1234"},\
        "framework_id":{"value":"fw-0001"},"command":{"shell":true,"value":"/opt/swexec/bin/swexec"},"name":"swexec"},\
        "framework_info":{"user":"root","name":"myfw","id":{"value":"fw-0001"},"failover_timeout":604800.0,\
        "checkpoint":true,"roles":["*"],"hostname":"sched1","capabilities":[{"type":"TASK_KILLING_STATE"},\
        {"type":"PARTITION_AWARE"},{"type":"MULTI_ROLE"}]},"agent_info":{"hostname":"agent7.example","port":5051,\
        "id":{"value":"ag-S3"}},"container_id":{"value":"2f9c1c1e-0a4d-4d1e-9a55-1b2c3d4e5f60"}}}
        """

    @Test func subscribedKeepsCapabilitiesAgentAndContainer() throws {
        guard case .subscribed(let info) = try decode(Self.subscribed) else {
            Issue.record("not SUBSCRIBED")
            return
        }
        #expect(info.frameworkID == "fw-0001")
        #expect(info.frameworkCapabilities == ["TASK_KILLING_STATE", "PARTITION_AWARE", "MULTI_ROLE"])
        #expect(info.hasTaskKillingState)
        #expect(info.frameworkCheckpoints)
        #expect(info.agentID == "ag-S3")
        #expect(info.agentHostname == "agent7.example")
        #expect(info.containerID == "2f9c1c1e-0a4d-4d1e-9a55-1b2c3d4e5f60")
        #expect(info.executorInfo?["executor_id"]?["value"] == "web.1234")
        #expect(info.agentInfo?["port"] == 5051)
    }

    @Test func subscribedWithoutCapabilitiesHasNoTaskKillingState() throws {
        let text = #"{"type":"SUBSCRIBED","subscribed":{"framework_info":{"user":"u","name":"n"},"agent_info":{}}}"#
        guard case .subscribed(let info) = try decode(text) else {
            Issue.record("not SUBSCRIBED")
            return
        }
        #expect(!info.hasTaskKillingState)
        #expect(!info.frameworkCheckpoints)
        #expect(info.containerID == nil)
    }

    @Test func launchKeepsTheTaskInfoVerbatim() throws {
        let task = """
            {"name":"web","task_id":{"value":"web.5d1c"},"agent_id":{"value":"ag-S3"},"resources":[{"name":"cpus",\
            "type":"SCALAR","scalar":{"value":0.5}}],"container":{"type":"DOCKER","docker":{"image":"nginx:1.25",\
            "network":"BRIDGE","privileged":false}},"kill_policy":{"grace_period":{"nanoseconds":15000000000}},\
            "unknown_future_field":{"z":1,"a":[true,null,2.5]}}
            """
        guard case .launch(let launched) = try decode(#"{"type":"LAUNCH","launch":{"task":"# + task + "}}") else {
            Issue.record("not LAUNCH")
            return
        }
        #expect(launched.taskID == "web.5d1c")
        #expect(launched.agentID == "ag-S3")
        // Resubscription sends the TaskInfo back: it must serialize to the very bytes the agent sent.
        #expect(launched.taskInfo.jsonString == task)
    }

    @Test func launchGroupListsEveryTask() throws {
        let text = """
            {"type":"LAUNCH_GROUP","launch_group":{"task_group":{"tasks":[{"name":"a","task_id":{"value":"t1"},\
            "agent_id":{"value":"ag"}},{"name":"b","task_id":{"value":"t2"}}]}}}
            """
        guard case .launchGroup(let tasks) = try decode(text) else {
            Issue.record("not LAUNCH_GROUP")
            return
        }
        #expect(tasks.map(\.taskID) == ["t1", "t2"])
        #expect(tasks.map(\.agentID) == ["ag", nil])
    }

    @Test func killCarriesTheOptionalGracePeriod() throws {
        let withPolicy = """
            {"type":"KILL","kill":{"task_id":{"value":"t1"},"kill_policy":{"grace_period":{"nanoseconds":2500000000}}}}
            """
        #expect(try decode(withPolicy) == .kill(taskID: "t1", gracePeriod: .milliseconds(2500)))
        #expect(
            try decode(#"{"type":"KILL","kill":{"task_id":{"value":"t1"}}}"#) == .kill(taskID: "t1", gracePeriod: nil))
        let nullPolicy = #"{"type":"KILL","kill":{"task_id":{"value":"t1"},"kill_policy":null}}"#
        #expect(try decode(nullPolicy) == .kill(taskID: "t1", gracePeriod: nil))
    }

    @Test func acknowledgedDecodesTheBinaryUUID() throws {
        let uuid = UUIDv4.random()
        let text = #"{"type":"ACKNOWLEDGED","acknowledged":{"task_id":{"value":"t1"},"uuid":""# + uuid.base64 + #""}}"#
        #expect(try decode(text) == .acknowledged(taskID: "t1", uuid: uuid))
    }

    @Test func messageDecodesItsBase64Data() throws {
        #expect(try decode(#"{"type":"MESSAGE","message":{"data":"aGVsbG8="}}"#) == .message(data: Array("hello".utf8)))
    }

    @Test func payloadlessEventsDecode() throws {
        #expect(try decode(#"{"type":"SHUTDOWN"}"#) == .shutdown)
        #expect(try decode(#"{"type":"HEARTBEAT"}"#) == .heartbeat)
        #expect(try decode(#"{"type":"ERROR","error":{"message":"boom"}}"#) == .error(message: "boom"))
    }

    @Test func unknownTypesAreKeptByName() throws {
        #expect(try decode(#"{"type":"LAUNCH_FLEET","launch_fleet":{}}"#) == .unknown(type: "LAUNCH_FLEET"))
        #expect(ExecutorEvent.unknown(type: "LAUNCH_FLEET").typeName == "LAUNCH_FLEET")
    }

    @Test func eventsThatAreNotObjectsOrLackATypeAreRejected() {
        #expect(decodeError("[1,2]") == .notAnObject)
        #expect(decodeError(#"{"kill":{}}"#) == .missingType)
        #expect(decodeError(#"{"type":7}"#) == .missingType)
    }

    @Test func missingFieldsAreNamedByPath() {
        #expect(decodeError(#"{"type":"KILL","kill":{}}"#) == .missingField(event: "KILL", path: "kill.task_id.value"))
        #expect(decodeError(#"{"type":"LAUNCH"}"#) == .missingField(event: "LAUNCH", path: "launch.task"))
        #expect(
            decodeError(#"{"type":"LAUNCH","launch":{"task":{"name":"x"}}}"#)
                == .missingField(event: "LAUNCH", path: "launch.task.task_id.value"))
        #expect(
            decodeError(
                #"{"type":"LAUNCH_GROUP","launch_group":{"task_group":{"tasks":[{"task_id":{"value":"a"}},7]}}}"#)
                == .missingField(event: "LAUNCH_GROUP", path: "launch_group.task_group.tasks[1]"))
        #expect(decodeError(#"{"type":"SUBSCRIBED"}"#) == .missingField(event: "SUBSCRIBED", path: "subscribed"))
        #expect(decodeError(#"{"type":"ERROR","error":{}}"#) == .missingField(event: "ERROR", path: "error.message"))
        #expect(
            decodeError(#"{"type":"KILL","kill":{"task_id":{"value":"t"},"kill_policy":{"grace_period":{}}}}"#)
                == .missingField(event: "KILL", path: "kill.kill_policy.grace_period.nanoseconds"))
    }

    @Test func aTextUUIDInAnAcknowledgementIsInvalid() {
        // base64 of the 36-character text form, as the public docs wrongly show it.
        let text = Base64.encode(Array("3f5d1c3e-5a4b-4c2d-9e8f-0a1b2c3d4e5f".utf8))
        let error = decodeError(
            #"{"type":"ACKNOWLEDGED","acknowledged":{"task_id":{"value":"t"},"uuid":""# + text + #""}}"#)
        guard case .invalidField(let event, let path, let reason) = error else {
            Issue.record("expected invalidField, got \(String(describing: error))")
            return
        }
        #expect(event == "ACKNOWLEDGED")
        #expect(path == "acknowledged.uuid")
        #expect(reason.contains("36 bytes"))
    }

    @Test func badBase64AndNegativeGraceAreInvalid() {
        guard case .invalidField(_, "message.data", _) = decodeError(#"{"type":"MESSAGE","message":{"data":"a$=="}}"#)
        else {
            Issue.record("bad base64 accepted")
            return
        }
        let negative =
            #"{"type":"KILL","kill":{"task_id":{"value":"t"},"kill_policy":{"grace_period":{"nanoseconds":-1}}}}"#
        #expect(
            decodeError(negative)
                == .invalidField(
                    event: "KILL", path: "kill.kill_policy.grace_period.nanoseconds", reason: "-1 is negative"))
    }

    @Test func errorDescriptionsAreSentences() {
        let error = ExecutorEventError.missingField(event: "KILL", path: "kill.task_id.value")
        #expect(error.description == "The agent sent a KILL event without 'kill.task_id.value'.")
        #expect(ExecutorEventError.notAnObject.description.hasSuffix("."))
    }
}
