import EventLoop
import Simulators
import Synchronization
import Testing

@testable import Executor

/// SidecarClient over real loopback HTTP, against the simulated Sidecar.
struct SidecarClientHTTPTransportTests {
    let harness = LoopHarness()
    let id = "0123456789ab"

    func settings(port: UInt16, retries: Int = 1, timeout: Duration = .milliseconds(500)) throws -> ExecutorSettings {
        var settings = ExecutorSettings()
        settings.sidecarURL = try HTTPURL(parsing: "http://127.0.0.1:\(port)/state.json")
        settings.sidecarRetryCount = retries
        settings.sidecarRetryDelay = .milliseconds(10)
        settings.httpTimeout = timeout
        return settings
    }

    func startedSidecar() throws -> SimulatedSidecar {
        let sidecar = try SimulatedSidecar(hostname: "node-a")
        sidecar.start()
        sidecar.setService(id: id, name: "web", status: .unhealthy)
        return sidecar
    }

    /// A port on which nothing listens: a server's, once it has stopped.
    func closedPort() throws -> UInt16 {
        let server = try BlockingHTTPServer()
        let port = server.port
        server.stop()
        return port
    }

    func poll(_ settings: ExecutorSettings, host: String? = nil) async -> SidecarPollResult? {
        let client = harness.sync { SidecarClient(loop: harness.loop, settings: settings, serviceName: nil) }
        let box = ResultBox<SidecarPollResult>()
        harness.sync { _ = client.fetchState(serviceID: id, host: host) { box.values.append($0) } }
        _ = await harness.wait { !box.values.isEmpty }
        return harness.sync {
            client.close()
            return box.values.first
        }
    }

    func drain(_ settings: ExecutorSettings) async -> SidecarDrainResult? {
        let client = harness.sync { SidecarClient(loop: harness.loop, settings: settings, serviceName: nil) }
        let box = ResultBox<SidecarDrainResult>()
        harness.sync { _ = client.drain(serviceID: id) { box.values.append($0) } }
        _ = await harness.wait { !box.values.isEmpty }
        return harness.sync {
            client.close()
            return box.values.first
        }
    }

    @Test func aPollReadsTheSimulatedStateDocument() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        #expect(await poll(try settings(port: sidecar.port)) == .answered(.status(.unhealthy, name: "web")))
        let request = try #require(sidecar.server.requests.first)
        #expect(request.method == "GET")
        #expect(request.target == "/state.json")
        #expect(request.headers.first { $0.name.lowercased() == "host" }?.value == "127.0.0.1:\(sidecar.port)")
    }

    @Test func anErrorStatusIsAnAnswerThatIsNotTheStateDocument() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.mode = .status(500)
        #expect(await poll(try settings(port: sidecar.port)) == .answered(.notStateDocument(.missingServers)))
        #expect(sidecar.requests.count == 1)
    }

    @Test func nothingListeningIsUnreachableAfterEveryAttempt() async throws {
        let result = await poll(try settings(port: try closedPort(), retries: 2))
        guard case .unreachable(let reason, let attempts)? = result else {
            Issue.record("expected unreachable, got \(String(describing: result))")
            return
        }
        #expect(attempts == 3)
        #expect(reason.contains("refused"), "\(reason)")
    }

    @Test func aHangingSidecarTimesOutOnEveryAttempt() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.mode = .hang
        let result = await poll(try settings(port: sidecar.port, retries: 1, timeout: .milliseconds(100)))
        #expect(
            result == .unreachable(reason: HTTPClientError.timedOut(after: .milliseconds(100)).description, attempts: 2)
        )
        #expect(sidecar.requests.count == 2)
    }

    @Test func aTenMegabyteGarbageBodyIsAbandonedAndNotTheStateDocument() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.mode = .garbage(bytes: 10 << 20)
        // The simulator takes a while to make 10 MB in a debug build; the timeout is not what is tested here.
        let result = await poll(try settings(port: sidecar.port, timeout: .seconds(30)))
        #expect(result == .answered(.notStateDocument(.bodyTooLarge(limit: SidecarClient.defaultMaxStateBytes))))
        #expect(sidecar.requests.count == 1, "an answer, even a bad one, is not retried")
    }

    @Test func aSmallGarbageBodyIsNotJSON() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.mode = .garbage(bytes: 1000)
        guard case .answered(.notStateDocument(.notJSON))? = await poll(try settings(port: sidecar.port)) else {
            Issue.record("a 1000-byte garbage body must be read and found not to be JSON")
            return
        }
    }

    @Test func anEndlessBodyIsCutOffSoMemoryStaysBounded() async throws {
        let server = try BlockingHTTPServer()
        let written = Mutex(0)
        server.handler = { _, responder in
            let stream = responder.startChunkedStream(headers: [("Content-Type", "application/json")])
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
            // Up to a gigabyte; a client that buffered it all would take minutes and a gigabyte of memory.
            while written.withLock({ $0 }) < 1 << 30, stream.send(chunk) {
                written.withLock { $0 += chunk.count }
            }
        }
        server.start()
        defer { server.stop() }
        let result = await poll(try settings(port: server.port, timeout: .seconds(20)))
        #expect(result == .answered(.notStateDocument(.bodyTooLarge(limit: SidecarClient.defaultMaxStateBytes))))
        // The client stopped reading at 4 MiB; what else left the server sits in socket buffers.
        #expect(written.withLock { $0 } < 64 << 20)
    }

    @Test func aDrainIsAPostToTheAPIOnTheSameHostAndPort() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        var settings = try settings(port: sidecar.port)
        settings.sidecarURL = try HTTPURL(parsing: "http://127.0.0.1:\(sidecar.port)/somewhere/else.json")
        #expect(await drain(settings) == .drained(attempts: 1))
        let request = try #require(sidecar.server.requests.first)
        #expect(request.method == "POST")
        #expect(request.target == "/api/services/0123456789ab/drain")
        #expect(request.body.isEmpty)
        #expect(request.headers.first { $0.name.lowercased() == "content-length" }?.value == "0")
        #expect(sidecar.service(id: id)?.status == .draining)
    }

    @Test func aDrainRetries404And500ThenSucceedsOn202() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.drainResponses = [404, 500]
        #expect(await drain(try settings(port: sidecar.port, retries: 5)) == .drained(attempts: 3))
        #expect(sidecar.requests.map(\.method) == ["POST", "POST", "POST"])
    }

    @Test func aDrainOfAServiceSidecarDoesNotKnowFailsAfterEveryAttempt() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.removeService(id: id)
        let result = await drain(try settings(port: sidecar.port, retries: 2))
        #expect(
            result
                == .failed(
                    reason:
                        #"Sidecar answered 404 '{"message":"Not Found - Service ID \"0123456789ab\" not found","status":"error"}'"#,
                    attempts: 3))
        #expect(sidecar.requests.count == 3)
    }

    // MARK: - The per-service document

    /// `count` polls, one after the other, by one client; the results and the targets Sidecar received.
    func polls(
        _ count: Int, sidecar: SimulatedSidecar, serviceName: String?, host: String?
    ) async throws -> (results: [SidecarPollResult], targets: [String]) {
        let settings = try settings(port: sidecar.port)
        let client = harness.sync { SidecarClient(loop: harness.loop, settings: settings, serviceName: serviceName) }
        let box = ResultBox<SidecarPollResult>()
        for number in 1...count {
            harness.sync { _ = client.fetchState(serviceID: id, host: host) { box.values.append($0) } }
            #expect(await harness.wait { box.values.count == number })
        }
        return harness.sync {
            client.close()
            return (box.values, sidecar.server.requests.map(\.target))
        }
    }

    @Test func aNamedServiceIsPolledThroughItsInstancesAlone() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        let (results, targets) = try await polls(2, sidecar: sidecar, serviceName: "web", host: "node-a")
        #expect(results == [.answered(.status(.unhealthy, name: "web")), .answered(.status(.unhealthy, name: "web"))])
        #expect(targets == ["/api/services/web.json", "/api/services/web.json"])
    }

    @Test func aServiceSidecarNamesOtherwiseFallsBackInThePollAndThenForGood() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        let (results, targets) = try await polls(2, sidecar: sidecar, serviceName: "acme/web", host: "node-a")
        #expect(results == [.answered(.status(.unhealthy, name: "web")), .answered(.status(.unhealthy, name: "web"))])
        // A name with a slash cannot be asked for at all.
        #expect(targets == ["/state.json", "/state.json"])

        let other = try startedSidecar()
        defer { other.stop() }
        let second = try await polls(3, sidecar: other, serviceName: "web-api", host: "node-a")
        #expect(second.results.allSatisfy { $0 == .answered(.status(.unhealthy, name: "web")) })
        #expect(second.targets == ["/api/services/web-api.json", "/state.json", "/state.json", "/state.json"])
    }

    @Test func aServiceNotListedYetIsAskedForByNameAgain() async throws {
        let sidecar = try SimulatedSidecar(hostname: "node-a")
        sidecar.start()
        defer { sidecar.stop() }
        sidecar.setService(id: "ffffffffffff", name: "web")
        let (results, targets) = try await polls(2, sidecar: sidecar, serviceName: "web", host: "node-a")
        #expect(results == Array(repeating: .answered(.serviceNotListed(host: "node-a", serviceID: id)), count: 2))
        #expect(targets == ["/api/services/web.json", "/state.json", "/api/services/web.json", "/state.json"])
    }

    @Test func withoutTaskHostThePollReadsTheStateDocument() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        let (results, targets) = try await polls(1, sidecar: sidecar, serviceName: "web", host: nil)
        #expect(results == [.answered(.status(.unhealthy, name: "web"))])
        #expect(targets == ["/state.json"])
    }

    @Test func anUnreachableSidecarIsUnreachableWithoutAFallback() async throws {
        var settings = try settings(port: try closedPort(), retries: 1)
        settings.taskHost = "node-a"
        let client = harness.sync { SidecarClient(loop: harness.loop, settings: settings, serviceName: "web") }
        let box = ResultBox<SidecarPollResult>()
        harness.sync { _ = client.fetchState(serviceID: id, host: "node-a") { box.values.append($0) } }
        #expect(await harness.wait { !box.values.isEmpty })
        guard case .unreachable(_, let attempts)? = harness.sync({ box.values.first }) else {
            Issue.record("expected unreachable, got \(harness.sync { box.values })")
            return
        }
        #expect(attempts == 2)
        harness.sync { client.close() }
    }
}
