import Dispatch
import EventLoop
import Foundation
import Simulators
import Testing

@testable import Executor

/// DockerClient against a scripted engine on a Unix socket (the Engine API's framing as docs/docker-engine.md
/// records it), for what the real engine will not do on demand: old API versions, 5xx, dropped connections.
struct DockerClientTests {
    final class Harness: @unchecked Sendable {
        let loop = EventLoop(label: "docker-client-tests")
        let server: BlockingHTTPServer
        let directory: String
        private(set) var client: DockerClient!

        init(
            settings: DockerClient.Settings = .init(pullAttempts: 3, pullBackoff: .milliseconds(5)),
            handler: @escaping BlockingHTTPServer.Handler
        ) throws {
            directory =
                FileManager.default.temporaryDirectory
                .appendingPathComponent("engine-\(DockerTestEngine.uniqueSuffix())").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            server = try BlockingHTTPServer(unixPath: directory + "/docker.sock")
            server.handler = handler
            server.start()
            loop.queue.sync {
                client = DockerClient(
                    endpoint: .unix(path: directory + "/docker.sock"), loop: loop, settings: settings)
            }
        }

        /// Starts a call on the loop and waits (20 s at most) for its completion.
        func result<Value>(_ start: @escaping (DockerClient, @escaping (Value) -> Void) -> Void) -> Value? {
            let box = Box<Value>()
            loop.queue.sync { start(client) { value in box.value = value } }
            _ = DockerTestEngine.waitUntil(loop) { box.value != nil }
            return loop.queue.sync { box.value }
        }

        var paths: [String] { server.requests.map { "\($0.method) \($0.target)" } }

        func tearDown() {
            loop.queue.sync { client.close() }
            server.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    final class Box<Value>: @unchecked Sendable {
        var value: Value?
    }

    /// The `/_ping` answer of the recorded 20.10 engine.
    static func ping(_ responder: HTTPResponder, version: String = "1.41") {
        responder.respond(
            status: 200, headers: [("Api-Version", version), ("Content-Type", "text/plain; charset=utf-8")], body: "OK")
    }

    static func json(_ responder: HTTPResponder, _ status: Int, _ body: String) {
        responder.respond(status: status, headers: [("Content-Type", "application/json")], body: body + "\n")
    }

    static let image = try! ImageReference(parsing: "127.0.0.1:5000/test/busybox:1")

    @Test func theVersionIsNegotiatedOnceAndPrefixesEveryCall() throws {
        let harness = try Harness { request, responder in
            switch request.path {
            case "/_ping": Self.ping(responder, version: "1.35")
            default: Self.json(responder, 404, #"{"message":"no such image"}"#)
            }
        }
        defer { harness.tearDown() }
        let first = harness.result { client, done in client.imageExists(Self.image) { done($0) } }
        let second = harness.result { client, done in client.imageExists(Self.image) { done($0) } }
        #expect(first == .success(false))
        #expect(second == .success(false))
        #expect(
            harness.paths == [
                "GET /_ping", "GET /v1.35/images/127.0.0.1:5000/test/busybox:1/json",
                "GET /v1.35/images/127.0.0.1:5000/test/busybox:1/json",
            ])
    }

    @Test func anEngineTooOldForNextExitIsRefused() throws {
        let harness = try Harness { _, responder in Self.ping(responder, version: "1.24") }
        defer { harness.tearDown() }
        let result = harness.result { client, done in client.startContainer(id: "abc") { done($0) } }
        guard case .failure(.unsupportedAPIVersion("1.24")) = result else {
            Issue.record("expected unsupportedAPIVersion, got \(String(describing: result))")
            return
        }
    }

    @Test func serverErrorsAreRetriedWithBackoffThenSucceed() throws {
        let failures = Box<Int>()
        failures.value = 0
        let harness = try Harness { request, responder in
            if request.path == "/_ping" { return Self.ping(responder) }
            if failures.value! < 2 {
                failures.value! += 1
                return Self.json(responder, 500, #"{"message":"temporary trouble"}"#)
            }
            Self.json(responder, 200, #"{"Id":"sha256:afe3"}"#)
        }
        defer { harness.tearDown() }
        #expect(harness.result { client, done in client.imageExists(Self.image) { done($0) } } == .success(true))
        #expect(harness.paths.count == 4)
    }

    @Test func retriesAreBounded() throws {
        let harness = try Harness { request, responder in
            if request.path == "/_ping" { return Self.ping(responder) }
            Self.json(responder, 503, #"{"message":"still down"}"#)
        }
        defer { harness.tearDown() }
        let result = harness.result { client, done in client.imageExists(Self.image) { done($0) } }
        #expect(result == .failure(.engine(status: 503, message: "still down")))
        #expect(harness.paths.count == 1 + 3)
    }

    @Test func aPullSendsTheLoginAndFindsTheErrorInsideTheStream() throws {
        let harness = try Harness { request, responder in
            if request.path == "/_ping" { return Self.ping(responder) }
            let stream = responder.startChunkedStream(status: 200, headers: [("Content-Type", "application/json")])
            _ = stream.send("{\"status\":\"Pulling from test/busybox\",\"id\":\"1\"}\r\n{\"status\":\"Down")
            _ = stream.send("loading\",\"progressDetail\":{},\"id\":\"2527ac95e228\"}\r\n")
            _ = stream.send("{\"errorDetail\":{\"message\":\"unknown blob\"},\"error\":\"unknown blob\"}\r\n")
            _ = stream.finish()
        }
        defer { harness.tearDown() }
        let login = RegistryCredential(serverAddress: "127.0.0.1:5000", username: "alice", password: "s3cr:et")
        let result = harness.result { client, done in client.pullImage(Self.image, credential: login) { done($0) } }
        guard case .failure(.pullFailed(let image, let message)) = result else {
            Issue.record("expected pullFailed, got \(String(describing: result))")
            return
        }
        #expect(image == Self.image.text)
        #expect(message == "unknown blob")
        let pulls = harness.server.requests.filter { $0.path == "/v1.41/images/create" }
        #expect(pulls.count == 3)
        #expect(pulls.first?.target == "/v1.41/images/create?fromImage=127.0.0.1%3A5000%2Ftest%2Fbusybox&tag=1")
        #expect(pulls.first?.header("X-Registry-Auth") == login.registryAuthHeader)
    }

    @Test func aPullErrorBeforeTheStreamIsNotRetried() throws {
        let harness = try Harness { request, responder in
            if request.path == "/_ping" { return Self.ping(responder) }
            Self.json(
                responder, 404, #"{"message":"manifest for 127.0.0.1:5000/test/busybox:1 not found: manifest unknown"}"#
            )
        }
        defer { harness.tearDown() }
        let result = harness.result { client, done in client.pullImage(Self.image, credential: nil) { done($0) } }
        guard case .failure(let error) = result else {
            Issue.record("the pull must fail")
            return
        }
        #expect(
            error
                == .engine(
                    status: 404, message: "manifest for 127.0.0.1:5000/test/busybox:1 not found: manifest unknown"))
        #expect(harness.paths.count == 2)
        #expect(harness.server.requests.last?.header("X-Registry-Auth") == nil)
    }

    @Test func aDroppedConnectionIsTransient() throws {
        let harness = try Harness { request, responder in
            if request.path == "/_ping" { return Self.ping(responder) }
            _ = responder.closeWithoutAnswer()
        }
        defer { harness.tearDown() }
        let result = harness.result { client, done in client.pullImage(Self.image, credential: nil) { done($0) } }
        guard case .failure(let error) = result else {
            Issue.record("a dropped pull must fail")
            return
        }
        #expect(error.isTransient)
        #expect(harness.server.requests.filter { $0.path == "/v1.41/images/create" }.count == 3)
    }

    @Test func createSendsJSONAndReadsTheIDOrTheEnginesMessage() throws {
        let harness = try Harness { request, responder in
            if request.path == "/_ping" { return Self.ping(responder) }
            if request.query == "name=taken" {
                return Self.json(
                    responder, 409, #"{"message":"Conflict. The container name \"/taken\" is already in use"}"#)
            }
            Self.json(responder, 201, #"{"Id":"2ad39c87","Warnings":[]}"#)
        }
        defer { harness.tearDown() }
        let body: JSONValue = ["Image": "local/busybox:latest", "Cmd": ["true"]]
        #expect(
            harness.result { client, done in client.createContainer(name: "mesos-1", body: body) { done($0) } }
                == .success("2ad39c87"))
        let create = try #require(harness.server.requests.last)
        #expect(create.target == "/v1.41/containers/create?name=mesos-1")
        #expect(create.header("Content-Type") == "application/json")
        #expect(try JSON.parse(create.body) == body)
        #expect(
            harness.result { client, done in client.createContainer(name: "taken", body: body) { done($0) } }
                == .failure(.engine(status: 409, message: "Conflict. The container name \"/taken\" is already in use")))
    }

    @Test func theWaitIsRegisteredWhenItsHeadArrivesAndAnswersAtTheExit() throws {
        let exitNow = DispatchSemaphore(value: 0)
        let harness = try Harness { request, responder in
            if request.path == "/_ping" { return Self.ping(responder) }
            let stream = responder.startChunkedStream(status: 200, headers: [("Content-Type", "application/json")])
            exitNow.wait()
            _ = stream.send("{\"Error\":null,\"StatusCode\":3}\n")
            _ = stream.finish()
        }
        defer { harness.tearDown() }
        let waiting = Box<Bool>()
        let exit = Box<Result<ContainerExit, DockerError>>()
        harness.loop.queue.sync {
            _ = harness.client.waitForExit(
                containerID: "abc", condition: .nextExit, onWaiting: { waiting.value = true },
                completion: { exit.value = $0 })
        }
        #expect(DockerTestEngine.waitUntil(harness.loop) { waiting.value == true })
        #expect(harness.loop.queue.sync { exit.value } == nil)
        exitNow.signal()
        #expect(DockerTestEngine.waitUntil(harness.loop) { exit.value != nil })
        #expect(harness.loop.queue.sync { exit.value } == .success(ContainerExit(statusCode: 3)))
        #expect(harness.paths.last == "POST /v1.41/containers/abc/wait?condition=next-exit")
    }

    @Test func aCancelledWaitNeverCallsBack() throws {
        let harness = try Harness { request, responder in
            if request.path == "/_ping" { return Self.ping(responder) }
            _ = responder.startChunkedStream(status: 200)
        }
        defer { harness.tearDown() }
        let calls = Box<Int>()
        calls.value = 0
        let handle = Box<any DockerStreamHandle>()
        harness.loop.queue.sync {
            handle.value = harness.client.waitForExit(
                containerID: "abc", condition: .nextExit, onWaiting: {}, completion: { _ in calls.value! += 1 })
        }
        _ = DockerTestEngine.waitUntil(harness.loop) { harness.server.requestCount == 2 }
        harness.loop.queue.sync { handle.value?.cancel() }
        usleep(100_000)
        #expect(harness.loop.queue.sync { calls.value } == 0)
    }

    @Test func logsAreDemultiplexedAcrossChunkBoundaries() throws {
        let harness = try Harness { request, responder in
            if request.path == "/_ping" { return Self.ping(responder) }
            // No Content-Type, as 20.10 sends; the second frame spans two chunks.
            let stream = responder.startChunkedStream(status: 200)
            _ = stream.send([1, 0, 0, 0, 0, 0, 0, 8] + Array("out-bar\n".utf8) + [2, 0, 0, 0])
            _ = stream.send([0, 0, 0, 9] + Array("err-".utf8))
            _ = stream.send(Array("line\n".utf8))
            _ = stream.finish()
        }
        defer { harness.tearDown() }
        let output = Box<[String]>()
        output.value = []
        let ended = Box<DockerError?>()
        harness.loop.queue.sync {
            _ = harness.client.followLogs(
                containerID: "abc", tty: false,
                onOutput: { stream, bytes in output.value!.append("\(stream):\(String(decoding: bytes, as: UTF8.self))")
                },
                onEnd: { ended.value = .some($0) })
        }
        #expect(DockerTestEngine.waitUntil(harness.loop) { ended.value != nil })
        let lines = harness.loop.queue.sync { output.value! }
        #expect(lines.first == "stdout:out-bar\n")
        #expect(lines.filter { $0.hasPrefix("stdout:") }.map { $0.dropFirst(7) }.joined() == "out-bar\n")
        #expect(lines.filter { $0.hasPrefix("stderr:") }.map { $0.dropFirst(7) }.joined() == "err-line\n")
        #expect(harness.loop.queue.sync { ended.value } == .some(nil))
        #expect(harness.paths.last == "GET /v1.41/containers/abc/logs?follow=1&stdout=1&stderr=1&timestamps=0")
    }

    @Test func killOfAStoppedAndRemovalOfAGoneContainerSucceed() throws {
        let harness = try Harness { request, responder in
            if request.path == "/_ping" { return Self.ping(responder) }
            if request.method == "DELETE" { return Self.json(responder, 404, #"{"message":"No such container: abc"}"#) }
            Self.json(responder, 409, #"{"message":"Cannot kill container: abc: Container abc is not running"}"#)
        }
        defer { harness.tearDown() }
        #expect(harness.result { client, done in client.killContainer(id: "abc") { done($0.isSuccess) } } == true)
        #expect(harness.result { client, done in client.removeContainer(id: "abc") { done($0.isSuccess) } } == true)
        #expect(
            harness.paths.suffix(2) == [
                "POST /v1.41/containers/abc/kill?signal=SIGKILL", "DELETE /v1.41/containers/abc?force=1&v=1",
            ])
    }

    @Test func anUnreachableEngineIsATransportError() throws {
        let loop = EventLoop(label: "unreachable")
        let client = loop.queue.sync { DockerClient(endpoint: .unix(path: "/nonexistent/docker.sock"), loop: loop) }
        let box = Box<Result<Void, DockerError>>()
        loop.queue.sync { client.startContainer(id: "abc") { box.value = $0 } }
        #expect(DockerTestEngine.waitUntil(loop) { box.value != nil })
        guard case .failure(.transport) = loop.queue.sync(execute: { box.value }) else {
            Issue.record("expected a transport error")
            return
        }
    }
}

extension Result {
    fileprivate var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
