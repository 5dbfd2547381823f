import EventLoop
import Testing

@testable import Executor

struct SidecarClientTests {
    let harness = LoopHarness()
    let id = "0123456789ab"

    func settings(retries: Int = 5, delay: Duration = .milliseconds(5)) -> ExecutorSettings {
        var settings = ExecutorSettings()
        settings.sidecarRetryCount = retries
        settings.sidecarRetryDelay = delay
        settings.httpTimeout = .milliseconds(1234)
        settings.sidecarURL = try! HTTPURL(parsing: "http://127.0.0.1:7777/state.json")
        return settings
    }

    /// Runs one poll and waits for its result.
    func poll(
        _ script: [Result<SidecarAnswer, HTTPClientError>?],
        settings: ExecutorSettings? = nil,
        host: String? = "node-a"
    ) async -> (SidecarPollResult?, ScriptedTransport) {
        let transport = ScriptedTransport(loop: harness.loop, script: script)
        let client = SidecarClient(loop: harness.loop, settings: settings ?? self.settings(), transport: transport)
        let box = ResultBox<SidecarPollResult>()
        harness.sync { _ = client.fetchState(serviceID: id, host: host) { box.values.append($0) } }
        _ = await harness.wait { !box.values.isEmpty }
        try? await Task.sleep(for: .milliseconds(20))
        return harness.sync {
            #expect(box.values.count <= 1, "a completion must run once")
            return (box.values.first, transport)
        }
    }

    func drain(
        _ script: [Result<SidecarAnswer, HTTPClientError>?],
        settings: ExecutorSettings? = nil
    ) async -> (SidecarDrainResult?, ScriptedTransport) {
        let transport = ScriptedTransport(loop: harness.loop, script: script)
        let client = SidecarClient(loop: harness.loop, settings: settings ?? self.settings(), transport: transport)
        let box = ResultBox<SidecarDrainResult>()
        harness.sync { _ = client.drain(serviceID: id) { box.values.append($0) } }
        _ = await harness.wait { !box.values.isEmpty }
        try? await Task.sleep(for: .milliseconds(20))
        return harness.sync {
            #expect(box.values.count <= 1, "a completion must run once")
            return (box.values.first, transport)
        }
    }

    @Test func aPollGetsTheConfiguredURLWithTheTimeoutAndBodyLimit() async {
        let (result, transport) = await poll([ScriptedTransport.answer(200, SidecarStateTests.document(status: 2))])
        #expect(result == .answered(.status(.unhealthy, name: "web")))
        harness.sync {
            #expect(transport.sent.count == 1)
            let sent = transport.sent[0]
            #expect(sent.request.method == .get)
            #expect(sent.request.target == "/state.json")
            #expect(sent.request.body == nil)
            #expect(sent.request.headers["Connection"] == "close")
            #expect(sent.timeout == .milliseconds(1234))
            #expect(sent.maxBodyBytes == SidecarClient.defaultMaxStateBytes)
        }
    }

    @Test func frequentPollsKeepTheConnectionAndSparseOnesCloseIt() async {
        for (interval, keepsAlive) in [(Duration.seconds(1), true), (.seconds(10), true), (.seconds(30), false)] {
            var settings = settings()
            settings.sidecarPollInterval = interval
            let answer = ScriptedTransport.answer(200, SidecarStateTests.document(status: 0))
            let (_, transport) = await poll([answer], settings: settings)
            harness.sync {
                #expect(transport.sent.count == 1)
                #expect(
                    transport.sent.first?.request.headers["Connection"] == (keepsAlive ? nil : "close"), "\(interval)")
            }
        }
    }

    @Test func anyHTTPAnswerEndsThePollAndOnlyTheBodyDecides() async {
        let notFound = #"{"message":"no instances of nope found","status":"error"}"#
        let (result, transport) = await poll([ScriptedTransport.answer(404, notFound)])
        #expect(result == .answered(.notStateDocument(.missingServers)))
        let (odd, _) = await poll([ScriptedTransport.answer(500, SidecarStateTests.document(status: 0))])
        #expect(odd == .answered(.status(.alive, name: "web")))
        harness.sync { #expect(transport.sent.count == 1) }
    }

    @Test func transportFailuresAreRetriedDelayApart() async {
        let script: [Result<SidecarAnswer, HTTPClientError>?] = [
            .failure(.connectFailed(endpoint: "127.0.0.1:7777", reason: "Connection refused")),
            .failure(.timedOut(after: .milliseconds(1234))),
            .failure(.connectionClosedBeforeResponse),
            ScriptedTransport.answer(200, SidecarStateTests.document(status: 3)),
        ]
        let (result, transport) = await poll(script, settings: settings(delay: .milliseconds(30)))
        #expect(result == .answered(.status(.unknown, name: "web")))
        harness.sync {
            #expect(transport.sent.count == 4)
            for (earlier, later) in zip(transport.sent, transport.sent.dropFirst()) {
                #expect(later.at - earlier.at >= .milliseconds(30))
            }
        }
    }

    @Test func afterRetryCountRetriesSidecarIsUnreachable() async {
        let failure = HTTPClientError.connectFailed(endpoint: "127.0.0.1:7777", reason: "Connection refused")
        let (result, transport) = await poll([.failure(failure)], settings: settings(retries: 2))
        #expect(result == .unreachable(reason: failure.description, attempts: 3))
        harness.sync { #expect(transport.sent.count == 3) }
        let (once, onceTransport) = await poll(
            [.failure(.timedOut(after: .seconds(2)))], settings: settings(retries: 0))
        #expect(once == .unreachable(reason: HTTPClientError.timedOut(after: .seconds(2)).description, attempts: 1))
        harness.sync { #expect(onceTransport.sent.count == 1) }
    }

    @Test func anOversizedBodyIsNotTheStateDocumentAndIsNotRetried() async {
        let (result, transport) = await poll([.failure(.bodyTooLarge(limit: SidecarClient.defaultMaxStateBytes))])
        #expect(result == .answered(.notStateDocument(.bodyTooLarge(limit: SidecarClient.defaultMaxStateBytes))))
        harness.sync { #expect(transport.sent.count == 1) }
    }

    @Test func theHostIsPassedToTheLookup() async {
        let (result, _) = await poll([ScriptedTransport.answer(200, SidecarStateTests.document())], host: "node-b")
        #expect(result == .answered(.hostNotListed(host: "node-b")))
        let (own, _) = await poll([ScriptedTransport.answer(200, SidecarStateTests.document())], host: nil)
        #expect(own == .answered(.status(.alive, name: "web")))
    }

    @Test func aDrainPostsAnEmptyBodyToTheAPIOnTheURLsOrigin() async {
        var settings = settings()
        settings.sidecarURL = try! HTTPURL(parsing: "http://[::1]:7778/some/path/state.json?x=1")
        let (result, transport) = await drain([ScriptedTransport.answer(202, #"{"Message":"ok"}"#)], settings: settings)
        #expect(result == .drained(attempts: 1))
        harness.sync {
            let sent = transport.sent[0]
            #expect(sent.request.method == .post)
            #expect(sent.request.target == "/api/services/0123456789ab/drain")
            #expect(sent.request.body == [])
            #expect(sent.timeout == .milliseconds(1234))
            let wire = String(
                decoding: (try? sent.request.serialized(host: settings.sidecarURL.hostHeader)) ?? [], as: UTF8.self)
            #expect(wire.hasPrefix("POST /api/services/0123456789ab/drain HTTP/1.1\r\nHost: [::1]:7778\r\n"))
            #expect(wire.contains("Content-Length: 0\r\n"))
        }
    }

    @Test func aDrainRetries404And500UntilA202() async {
        let script = [
            ScriptedTransport.answer(
                404, #"{"message":"Not Found - Service ID \"0123456789ab\" not found","status":"error"}"#),
            ScriptedTransport.answer(500, "boom"),
            .failure(.connectionFailed(reason: "Connection reset by peer")),
            ScriptedTransport.answer(202, "{}"),
        ]
        let (result, transport) = await drain(script)
        #expect(result == .drained(attempts: 4))
        harness.sync { #expect(transport.sent.count == 4) }
    }

    @Test func aDrainThatNeverGetsA202FailsWithTheLastAnswer() async {
        let (result, transport) = await drain([ScriptedTransport.answer(405, "")], settings: settings(retries: 3))
        #expect(result == .failed(reason: "Sidecar answered 405 ''", attempts: 4))
        harness.sync { #expect(transport.sent.count == 4) }
    }

    @Test func aCancelledCallMakesNoFurtherAttemptAndNeverCompletes() async {
        let transport = ScriptedTransport(loop: harness.loop, script: [.failure(.connectionClosedBeforeResponse)])
        // A retry delay far longer than the test: whenever the cancel lands, the second attempt is still ahead.
        let client = SidecarClient(loop: harness.loop, settings: settings(delay: .seconds(600)), transport: transport)
        let box = ResultBox<SidecarDrainResult>()
        let request = harness.sync { client.drain(serviceID: id) { box.values.append($0) } }
        #expect(await harness.wait { transport.sent.count == 1 })
        try? await Task.sleep(for: .milliseconds(20))
        harness.sync { request.cancel() }
        try? await Task.sleep(for: .milliseconds(50))
        harness.sync {
            #expect(transport.sent.count == 1)
            #expect(box.values.isEmpty)
        }
    }

    @Test func cancellingCancelsTheAttemptInFlight() async {
        let transport = ScriptedTransport(loop: harness.loop, script: [nil])
        let client = SidecarClient(loop: harness.loop, settings: settings(), transport: transport)
        harness.sync {
            let request = client.drain(serviceID: id) { _ in Issue.record("a cancelled call must not complete") }
            #expect(transport.handles.count == 1)
            #expect(transport.handles[0].cancelled == false)
            request.cancel()
            #expect(transport.handles[0].cancelled)
        }
    }

    @Test func closeEndsEveryCallWithoutCompletionAndRefusesNewOnes() async {
        let transport = ScriptedTransport(loop: harness.loop, script: [nil])
        let client = SidecarClient(loop: harness.loop, settings: settings(), transport: transport)
        let box = ResultBox<SidecarPollResult>()
        harness.sync {
            _ = client.fetchState(serviceID: id, host: nil) { box.values.append($0) }
            _ = client.drain(serviceID: id) { _ in box.values.append(.unreachable(reason: "drain", attempts: 0)) }
            client.close()
            #expect(transport.closed)
            #expect(transport.handles.allSatisfy { $0.cancelled })
            _ = client.fetchState(serviceID: id, host: nil) { box.values.append($0) }
            #expect(transport.sent.count == 2)
        }
        try? await Task.sleep(for: .milliseconds(50))
        harness.sync { #expect(box.values.isEmpty) }
    }

    @Test func aLateAnswerAfterCancelIsIgnored() async {
        let transport = ScriptedTransport(loop: harness.loop, script: [nil])
        let client = SidecarClient(loop: harness.loop, settings: settings(), transport: transport)
        let box = ResultBox<SidecarPollResult>()
        harness.sync {
            let request = client.fetchState(serviceID: id, host: nil) { box.values.append($0) }
            request.cancel()
            request.cancel()
            transport.held.first?(.success(SidecarAnswer(status: 200, body: [])))
            #expect(box.values.isEmpty)
        }
    }

    @Test func aDroppedRequestStillCompletes() async {
        let transport = ScriptedTransport(
            loop: harness.loop, script: [.failure(.connectionClosedBeforeResponse), ScriptedTransport.answer(202, "")])
        let client = SidecarClient(loop: harness.loop, settings: settings(), transport: transport)
        let box = ResultBox<SidecarDrainResult>()
        harness.sync { _ = client.drain(serviceID: id) { box.values.append($0) } }
        #expect(await harness.wait { box.values == [.drained(attempts: 2)] })
    }

    @Test func bodyExcerptsArePrintableAndBounded() {
        #expect(SidecarClient.excerpt(Array("a\u{1}b".utf8)) == "'a.b'")
        #expect(SidecarClient.excerpt(Array(repeating: 0x41, count: 300), limit: 3) == "'AAA…'")
    }
}
