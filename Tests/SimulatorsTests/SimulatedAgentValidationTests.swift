import EventLoop
import Simulators
import Testing

struct SimulatedAgentValidationTests {
    static let uuid = "n2QH8k1YQq2cZ3V0d0x5Ag=="

    static func statusJSON(
        uuid: String? = uuid, source: String? = "SOURCE_EXECUTOR", state: String = "TASK_RUNNING",
        executorID: String = "web.1234"
    ) -> String {
        var fields = [#""task_id":{"value":"t1"}"#, #""state":""# + state + #"""#]
        if let source { fields.append(#""source":""# + source + #"""#) }
        fields.append(#""executor_id":{"value":""# + executorID + #""}"#)
        if let uuid { fields.append(#""uuid":""# + uuid + #"""#) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func update(_ status: String) -> String {
        #"{"executor_id":{"value":"web.1234"},"framework_id":{"value":"fw-0001"},"type":"UPDATE","update":{"status":"#
            + status + "}}"
    }

    static let subscribe =
        #"{"executor_id":{"value":"web.1234"},"framework_id":{"value":"fw-0001"},"type":"SUBSCRIBE","subscribe":{}}"#

    private func request(
        _ body: String, method: String = "POST", contentType: String? = "application/json", accept: String? = nil
    ) -> HTTPServerRequest {
        var headers: [HTTPServerRequest.Field] = [.init(name: "Host", value: "127.0.0.1:5051")]
        if let contentType { headers.append(.init(name: "Content-Type", value: contentType)) }
        if let accept { headers.append(.init(name: "Accept", value: accept)) }
        return HTTPServerRequest(method: method, target: "/api/v1/executor", headers: headers, body: Array(body.utf8))
    }

    private func check(
        _ request: HTTPServerRequest, subscribed: Bool = true, recovering: Bool = false
    ) -> Result<SimulatedAgentCall, SimulatedAgentRejection> {
        SimulatedAgentValidation.validate(
            request,
            context: .init(
                frameworkID: "fw-0001", executorID: "web.1234", executorSubscribed: subscribed, recovering: recovering))
    }

    private func rejection(_ result: Result<SimulatedAgentCall, SimulatedAgentRejection>) -> SimulatedAgentRejection? {
        if case .failure(let rejection) = result { return rejection }
        return nil
    }

    @Test func aValidUpdateIsAccepted() {
        guard case .success(.update(let status, let uuid)) = check(request(Self.update(Self.statusJSON()))) else {
            Issue.record("rejected")
            return
        }
        #expect(status["state"] == "TASK_RUNNING")
        #expect(uuid.count == 16)
    }

    @Test func aTextUUIDIsNotAValidUUID() {
        let text = Base64.encode(Array("9f6407f2-4d58-42ad-9c67-7574774c7902".utf8))
        let answer = rejection(check(request(Self.update(Self.statusJSON(uuid: text)))))
        #expect(
            answer
                == SimulatedAgentRejection(status: 400, message: "Failed to validate Executor::Call: Not a valid UUID"))
        // Sixteen bytes with no UUID version are rejected too.
        let versionless = Base64.encode([UInt8](repeating: 0, count: 16))
        #expect(rejection(check(request(Self.update(Self.statusJSON(uuid: versionless)))))?.status == 400)
        #expect(
            rejection(check(request(Self.update(Self.statusJSON(uuid: nil)))))?.message
                == "Failed to validate Executor::Call: Expecting 'uuid' to be present")
    }

    @Test func aMissingSourceReadsAsTheMasterAndIsRejected() {
        for source in [nil, "SOURCE_AGENT", "SOURCE_BOGUS"] {
            let answer = rejection(check(request(Self.update(Self.statusJSON(source: source)))))
            #expect(answer?.status == 400)
            #expect(
                answer?.message
                    == "Failed to validate Executor::Call: Received Call from executor web.1234 of framework fw-0001 "
                    + "with invalid source, expecting 'SOURCE_EXECUTOR'")
        }
    }

    @Test func aContentTypeWithACharsetIsUnsupported() {
        let answer = rejection(check(request(Self.subscribe, contentType: "application/json; charset=utf-8")))
        #expect(answer?.status == 415)
        #expect(answer?.message == "Expecting 'Content-Type' of application/json or application/x-protobuf")
        #expect(
            rejection(check(request(Self.subscribe, contentType: nil)))
                == SimulatedAgentRejection(status: 400, message: "Expecting 'Content-Type' to be present"))
    }

    @Test func anUpdateBeforeSubscribeIsForbidden() {
        #expect(
            rejection(check(request(Self.update(Self.statusJSON())), subscribed: false))
                == SimulatedAgentRejection(status: 403, message: "Executor is not subscribed"))
        // SUBSCRIBE itself is what makes the executor subscribed.
        guard case .success(.subscribe) = check(request(Self.subscribe), subscribed: false) else {
            Issue.record("SUBSCRIBE rejected")
            return
        }
    }

    @Test func onlyPostIsAllowed() {
        let answer = rejection(check(request("", method: "GET")))
        #expect(answer?.status == 405)
        #expect(answer?.message == "Expecting one of { 'POST' }, but received 'GET'")
        #expect(answer?.headers == [.init(name: "Allow", value: "POST")])
    }

    @Test func badJSONAndBadShapesAreBadRequests() {
        let parse = rejection(check(request(#"{"type":"#)))
        #expect(parse?.status == 400)
        #expect(parse?.message.hasPrefix("Failed to parse body into JSON: ") == true)
        #expect(
            rejection(check(request("[]")))?.message
                == "Failed to convert JSON into Call protobuf: Expecting a JSON object")
        #expect(
            rejection(check(request(#"{"type":7}"#)))?.message
                == "Failed to convert JSON into Call protobuf: Not expecting a JSON number for field 'type'")
        let noStatus =
            #"{"executor_id":{"value":"web.1234"},"framework_id":{"value":"fw-0001"},"type":"UPDATE","update":{}}"#
        #expect(
            rejection(check(request(noStatus)))?.message
                == "Failed to convert JSON into Call protobuf: Missing required fields: update.status")
        let noTask = Self.update(#"{"source":"SOURCE_EXECUTOR","uuid":""# + Self.uuid + #""}"#)
        #expect(
            rejection(check(request(noTask)))?.message
                == "Failed to convert JSON into Call protobuf: Missing required fields: update.status.task_id, "
                + "update.status.state")
        // A field that cannot be converted fails before the required fields are counted.
        let bogusState = Self.update(#"{"state":"TASK_BOGUS","source":"SOURCE_EXECUTOR","uuid":""# + Self.uuid + #""}"#)
        #expect(
            rejection(check(request(bogusState)))?.message
                == "Failed to convert JSON into Call protobuf: Failed to find enum for 'TASK_BOGUS'")
        let badBytes = Self.update(Self.statusJSON(uuid: "not base64!"))
        #expect(
            rejection(check(request(badBytes)))?.message.hasPrefix(
                "Failed to convert JSON into Call protobuf: Failed to base64-decode") == true)
    }

    @Test func missingCallFieldsFailValidationInOrder() {
        let cases: [(String, String)] = [
            (#"{"executor_id":{"value":"e"},"framework_id":{"value":"f"}}"#, "Expecting 'type' to be present"),
            (#"{"type":"BOGUS","executor_id":{"value":"e"}}"#, "Expecting 'type' to be present"),
            (#"{"type":"SUBSCRIBE","framework_id":{"value":"f"}}"#, "Expecting 'executor_id' to be present"),
            (#"{"type":"SUBSCRIBE","executor_id":{"value":"e"}}"#, "Expecting 'framework_id' to be present"),
            (
                #"{"type":"SUBSCRIBE","executor_id":{"value":"e"},"framework_id":{"value":"f"}}"#,
                "Expecting 'subscribe' to be present"
            ),
            (
                #"{"type":"UPDATE","executor_id":{"value":"e"},"framework_id":{"value":"f"}}"#,
                "Expecting 'update' to be present"
            ),
            (
                #"{"type":"MESSAGE","executor_id":{"value":"e"},"framework_id":{"value":"f"}}"#,
                "Expecting 'message' to be present"
            ),
        ]
        for (body, message) in cases {
            #expect(
                rejection(check(request(body)))
                    == SimulatedAgentRejection(status: 400, message: "Failed to validate Executor::Call: " + message))
        }
    }

    @Test func stagingAndAForeignExecutorIDAreInvalidUpdates() {
        #expect(
            rejection(check(request(Self.update(Self.statusJSON(state: "TASK_STAGING")))))?.message
                == "Failed to validate Executor::Call: Received TASK_STAGING from executor web.1234 of framework fw-0001 "
                + "which is not allowed")
        #expect(
            rejection(check(request(Self.update(Self.statusJSON(executorID: "other")))))?.message
                == "Failed to validate Executor::Call: ExecutorID in Call: web.1234 does not match ExecutorID in "
                + "TaskStatus: other")
    }

    @Test func acceptMustAllowJSONForSubscribe() {
        for accept in ["application/json", "*/*", "application/*", "text/plain, application/json;q=0.5"] {
            guard case .success = check(request(Self.subscribe, accept: accept)) else {
                Issue.record("Accept '\(accept)' rejected")
                continue
            }
        }
        for accept in ["text/plain", "application/json;q=0", "application/x-protobuf"] {
            #expect(rejection(check(request(Self.subscribe, accept: accept)))?.status == 406, "\(accept)")
        }
    }

    @Test func recoveryUnknownIDsAndUnknownCalls() {
        #expect(
            rejection(check(request(Self.update(Self.statusJSON())), recovering: true))
                == SimulatedAgentRejection(status: 503, message: "Agent has not finished recovery"))
        guard case .success = check(request(Self.subscribe), recovering: true) else {
            Issue.record("SUBSCRIBE rejected while recovering")
            return
        }
        let otherFramework = Self.subscribe.replacingOccurrences(of: "fw-0001", with: "fw-9")
        #expect(rejection(check(request(otherFramework)))?.message == "Framework cannot be found")
        let otherExecutor = Self.subscribe.replacingOccurrences(of: "web.1234", with: "web.9")
        #expect(rejection(check(request(otherExecutor)))?.message == "Executor cannot be found")
        let unknown = #"{"executor_id":{"value":"web.1234"},"framework_id":{"value":"fw-0001"},"type":"UNKNOWN"}"#
        #expect(rejection(check(request(unknown)))?.status == 501)
        let heartbeat = #"{"executor_id":{"value":"unused"},"framework_id":{"value":"unused"},"type":"HEARTBEAT"}"#
        #expect(check(request(heartbeat), subscribed: false) == .success(.heartbeat))
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
