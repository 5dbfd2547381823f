import EventLoop
import Foundation
import TestSupport
import Testing

@testable import Simulators

/// The simulated Docker engine answers the executor's Engine API calls as dockerd 20.10 does: the same statuses,
/// `{"message": ...}` errors, framing and long polls, over a Unix socket, served from one event loop.
@Suite struct SimulatedDockerEngineTests {
    final class Fixture {
        let engine: SimulatedDockerEngine
        let directory = makeTemporaryDirectory()

        init() throws {
            engine = try SimulatedDockerEngine(socketPath: directory + "/docker.sock")
            engine.start()
        }

        deinit {
            engine.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }

        func client() throws -> TestHTTPClient { try TestHTTPClient(unixPath: engine.socketPath) }

        /// One request on a connection of its own; the response read whole.
        func call(_ method: String, _ target: String, json: String? = nil, contentType: String = "application/json")
            throws -> TestHTTPResponse
        {
            let client = try client()
            try client.send(Self.request(method, target, json: json, contentType: contentType))
            return try client.readResponse()
        }

        static func request(_ method: String, _ target: String, json: String? = nil, contentType: String = "")
            -> String
        {
            guard let json else { return TestHTTPClient.request(target, method: method) }
            return "\(method) \(target) HTTP/1.1\r\nHost: docker\r\nContent-Type: \(contentType)\r\n"
                + "Content-Length: \(json.utf8.count)\r\n\r\n\(json)"
        }

        /// Creates a container named `name` of local/busybox:latest; its id.
        func create(_ name: String, extra: String = "") throws -> String {
            let answer = try call(
                "POST", "/v1.41/containers/create?name=\(name)",
                json: "{\"Image\":\"local/busybox:latest\",\"Cmd\":[\"sleep\",\"100\"]\(extra)}")
            #expect(answer.status == 201, "\(answer)")
            return (try? JSON.parse(answer.body))?["Id"]?.stringValue ?? ""
        }
    }

    static func message(_ response: TestHTTPResponse) -> String? {
        (try? JSON.parse(response.body))?["message"]?.stringValue
    }

    @Test func pingCarriesTheEngineHeadersAndTheAPIVersion() throws {
        let fixture = try Fixture()
        let ping = try fixture.call("GET", "/_ping")
        #expect(ping.status == 200 && ping.bodyString == "OK")
        #expect(ping.header("Api-Version") == "1.41")
        #expect(ping.header("Server") == "Docker/20.10.24+dfsg1 (linux)")
        #expect(ping.header("Content-Type") == "text/plain; charset=utf-8")
        let head = try fixture.call("HEAD", "/_ping")
        #expect(head.status == 200 && head.header("Content-Length") == "0" && head.body.isEmpty)
    }

    @Test func versionPrefixesAreCheckedAsTheEngineChecksThem() throws {
        let fixture = try Fixture()
        let tooNew = try fixture.call("GET", "/v1.50/version")
        #expect(tooNew.status == 400)
        #expect(Self.message(tooNew) == "client version 1.50 is too new. Maximum supported API version is 1.41")
        let tooOld = try fixture.call("GET", "/v1.11/version")
        #expect(tooOld.status == 400 && Self.message(tooOld)?.hasPrefix("client version 1.11 is too old") == true)
        let version = try fixture.call("GET", "/v1.41/version")
        let versionDocument = try JSON.parse(version.body)
        #expect(version.status == 200 && versionDocument["ApiVersion"]?.stringValue == "1.41")
        #expect(version.bodyString.hasSuffix("}\n"), "Go's JSON encoder ends the body with a newline")
        let unversioned = try fixture.call("GET", "/version")
        #expect(unversioned.status == 200)
        let malformed = try fixture.call("GET", "/v1.x/version")
        #expect(malformed.status == 404 && Self.message(malformed) == "page not found")
    }

    @Test func createRefusesWhatTheEngineRefuses() throws {
        let fixture = try Fixture()
        let body = "{\"Image\":\"local/busybox:latest\"}"
        let wrongType = try fixture.call("POST", "/containers/create?name=a1", json: body, contentType: "text/plain")
        #expect(wrongType.status == 400)
        #expect(Self.message(wrongType) == "Content-Type specified (text/plain) must be 'application/json'")
        let truncated = try fixture.call("POST", "/containers/create?name=a1", json: "{\"Image\":\"local/bu")
        #expect(truncated.status == 500 && Self.message(truncated) == "unexpected EOF")
        let unknownImage = try fixture.call("POST", "/containers/create", json: "{\"Image\":\"nosuch/image:1\"}")
        #expect(unknownImage.status == 404 && Self.message(unknownImage) == "No such image: nosuch/image:1")
        let badName = try fixture.call("POST", "/containers/create?name=-bad", json: body)
        #expect(badName.status == 400 && Self.message(badName)?.hasPrefix("Invalid container name (-bad)") == true)

        let id = try fixture.create("mesos-task-1")
        #expect(id.count == 64 && id.allSatisfy(\.isHexDigit))
        let again = try fixture.call("POST", "/containers/create?name=mesos-task-1", json: body)
        #expect(again.status == 409)
        #expect(Self.message(again)?.contains("\"/mesos-task-1\" is already in use by container \"\(id)\"") == true)
        #expect(fixture.engine.containerStates.map(\.status) == ["created"])
    }

    @Test func aWaiterRegisteredBeforeStartHearsTheKillAfterAStopTimeout() throws {
        let fixture = try Fixture()
        let id = try fixture.create("waited")
        let waiter = try fixture.client()
        try waiter.send(TestHTTPClient.request("/v1.41/containers/\(id)/wait?condition=next-exit", method: "POST"))
        let head = try waiter.readResponse(forHead: true)
        #expect(head.status == 200 && head.header("Transfer-Encoding") == "chunked")
        #expect(try fixture.call("POST", "/v1.41/containers/\(id)/start").status == 204)
        #expect(try fixture.call("POST", "/v1.41/containers/\(id)/start").status == 304)
        let inspect = try fixture.call("GET", "/v1.41/containers/\(id)/json")
        #expect(inspect.wasChunked, "the real inspect is larger than 4 KiB, so chunked")
        let state = try JSON.parse(inspect.body)["State"]
        #expect(state?["Running"]?.boolValue == true && (state?["Pid"]?.int64Value ?? 0) > 0)

        // `sleep` as PID 1 ignores SIGTERM: the stop kills it when its timeout ends.
        #expect(try fixture.call("POST", "/v1.41/containers/\(id)/stop?t=0").status == 204)
        #expect(
            try waiter.readChunk().map { String(decoding: $0, as: UTF8.self) }
                == "{\"Error\":null,\"StatusCode\":137}\n")
        #expect(try waiter.readChunk() == nil)
        #expect(try fixture.call("POST", "/v1.41/containers/\(id)/stop?t=0").status == 304)
        let kill = try fixture.call("POST", "/v1.41/containers/\(id)/kill?signal=SIGKILL")
        #expect(kill.status == 409)
        #expect(Self.message(kill) == "Cannot kill container: \(id): Container \(id) is not running")
        let exited = try JSON.parse(try fixture.call("GET", "/v1.41/containers/\(id)/json").body)["State"]
        #expect(exited?["Status"]?.stringValue == "exited" && exited?["ExitCode"]?.int64Value == 137)
        #expect(try fixture.call("DELETE", "/v1.41/containers/\(id)?force=1&v=1").status == 204)
        let gone = try fixture.call("GET", "/v1.41/containers/\(id)/json")
        #expect(gone.status == 404 && Self.message(gone) == "No such container: \(id)")
    }

    @Test func unknownContainersGetTheEngineMessages() throws {
        let fixture = try Fixture()
        for (method, action) in [
            ("GET", "json"), ("POST", "wait"), ("POST", "stop"), ("POST", "start"), ("GET", "logs"),
        ] {
            let answer = try fixture.call(method, "/v1.41/containers/nope/\(action)?stdout=1")
            #expect(answer.status == 404 && Self.message(answer) == "No such container: nope", "\(action)")
        }
        let kill = try fixture.call("POST", "/v1.41/containers/nope/kill?signal=SIGKILL")
        #expect(kill.status == 404 && Self.message(kill) == "Cannot kill container: nope: No such container: nope")
        #expect(try fixture.call("DELETE", "/v1.41/containers/nope?force=1&v=1").status == 404)
        let exec = try fixture.call("POST", "/v1.41/containers/nope/exec", json: "{}")
        #expect(exec.status == 404 && Self.message(exec) == "page not found")
    }

    @Test func aRunningContainerIsRemovedOnlyWithForce() throws {
        let fixture = try Fixture()
        let id = try fixture.create("running")
        #expect(try fixture.call("POST", "/containers/\(id)/start").status == 204)
        let refused = try fixture.call("DELETE", "/containers/\(id)")
        #expect(
            refused.status == 409 && Self.message(refused)?.hasPrefix("You cannot remove a running container") == true)
        #expect(try fixture.call("DELETE", "/containers/\(id)?force=1&v=1").status == 204)
        #expect(fixture.engine.containerStates.isEmpty)
    }

    @Test func logsAreMultiplexedFramesThatEndWhenTheProcessExits() throws {
        let fixture = try Fixture()
        fixture.engine.setLifetime { _ in SimulatedDockerLifetime(output: [(.stdout, "out-bar\n")]) }
        let id = try fixture.create("logged")
        let noStream = try fixture.call("GET", "/containers/\(id)/logs?follow=1")
        #expect(
            noStream.status == 400 && Self.message(noStream) == "Bad parameters: you must choose at least one stream")
        let waiter = try fixture.client()
        try waiter.send(TestHTTPClient.request("/containers/\(id)/wait?condition=next-exit", method: "POST"))
        #expect(try waiter.readResponse(forHead: true).status == 200)
        #expect(try fixture.call("POST", "/containers/\(id)/start").status == 204)

        let follower = try fixture.client()
        try follower.send(TestHTTPClient.request("/containers/\(id)/logs?follow=1&stdout=1&stderr=1&timestamps=0"))
        let head = try follower.readResponse(forHead: true)
        #expect(
            head.status == 200 && head.header("Content-Type") == nil && head.header("Transfer-Encoding") == "chunked")
        #expect(try follower.readChunk() == [1, 0, 0, 0, 0, 0, 0, 8] + Array("out-bar\n".utf8))
        #expect(fixture.engine.write(container: id, .stderr, "err-line\n"))
        #expect(try follower.readChunk() == [2, 0, 0, 0, 0, 0, 0, 9] + Array("err-line\n".utf8))
        #expect(fixture.engine.exit(container: id, code: 3))
        #expect(try follower.readChunk() == nil, "the stream ends when the container exits")
        #expect(
            try waiter.readChunk().map { String(decoding: $0, as: UTF8.self) } == "{\"Error\":null,\"StatusCode\":3}\n")

        // Afterwards, logs without follow replay what was kept and end.
        let replay = try fixture.call("GET", "/containers/\(id)/logs?stdout=1&stderr=0")
        #expect(replay.body == [1, 0, 0, 0, 0, 0, 0, 8] + Array("out-bar\n".utf8))
    }

    @Test func aTermHandlerEndsAStopWithItsOwnCodeAndALifetimeEndsByItself() throws {
        let fixture = try Fixture()
        fixture.engine.setLifetime { config in
            config.name == "trapping"
                ? SimulatedDockerLifetime(exitCodeOnTerm: 7)
                : SimulatedDockerLifetime(exitsAfter: .milliseconds(20), exitCode: 42)
        }
        let trapping = try fixture.create("trapping")
        #expect(try fixture.call("POST", "/containers/\(trapping)/start").status == 204)
        #expect(try fixture.call("POST", "/containers/\(trapping)/stop?t=600").status == 204)
        let stopped = try JSON.parse(try fixture.call("GET", "/containers/\(trapping)/json").body)
        #expect(stopped["State"]?["ExitCode"]?.int64Value == 7)

        let brief = try fixture.create("brief")
        let waiter = try fixture.client()
        try waiter.send(TestHTTPClient.request("/containers/\(brief)/wait?condition=next-exit", method: "POST"))
        #expect(try waiter.readResponse(forHead: true).status == 200)
        #expect(try fixture.call("POST", "/containers/\(brief)/start").status == 204)
        #expect(
            try waiter.readChunk().map { String(decoding: $0, as: UTF8.self) } == "{\"Error\":null,\"StatusCode\":42}\n"
        )
        let notRunning = try fixture.call("POST", "/containers/\(brief)/wait")
        #expect(notRunning.bodyString == "{\"Error\":null,\"StatusCode\":42}\n", "not-running answers at once")
    }

    @Test func eventsAndTheListFollowLabels() throws {
        let fixture = try Fixture()
        let events = try fixture.client()
        let filters =
            "{\"type\":[\"container\"],\"label\":[\"run=r1\"]}".addingPercentEncoding(
                withAllowedCharacters: .alphanumerics) ?? ""
        try events.send(TestHTTPClient.request("/events?filters=\(filters)"))
        #expect(try events.readResponse(forHead: true).status == 200)
        _ = try fixture.create("unlabelled")
        let id = try fixture.create("labelled", extra: ",\"Labels\":{\"run\":\"r1\"}")
        #expect(try fixture.call("POST", "/containers/\(id)/start").status == 204)
        #expect(try fixture.call("POST", "/containers/\(id)/kill?signal=KILL").status == 204)
        var actions: [String] = []
        while actions.count < 4, let chunk = try events.readChunk() {
            let event = try JSON.parse(chunk)
            #expect(event["id"]?.stringValue == id)
            actions.append(event["Action"]?.stringValue ?? "?")
            if event["Action"]?.stringValue == "die" {
                #expect(event["Actor"]?["Attributes"]?["exitCode"]?.stringValue == "137")
                #expect((event["timeNano"]?.int64Value ?? 0) > 0)
            }
        }
        #expect(actions == ["create", "start", "kill", "die"])
        let list = try fixture.call("GET", "/containers/json?all=1&filters=\(filters)")
        #expect((try JSON.parse(list.body)).arrayValue?.compactMap { $0["Id"]?.stringValue } == [id])
    }

    @Test func aPullOfAPullableImageStreamsProgressAndAnUnknownOneIs404() throws {
        let fixture = try Fixture()
        fixture.engine.makePullable("127.0.0.1:5000/test/busybox:1")
        let pulled = try fixture.call("POST", "/images/create?fromImage=127.0.0.1%3A5000%2Ftest%2Fbusybox&tag=1")
        #expect(pulled.status == 200 && pulled.wasChunked)
        #expect(pulled.bodyString.contains("Status: Downloaded newer image for 127.0.0.1:5000/test/busybox:1"))
        #expect(try fixture.call("GET", "/images/127.0.0.1:5000/test/busybox:1/json").status == 200)
        let unknown = try fixture.call("POST", "/images/create?fromImage=test%2Fbusybox&tag=nope")
        #expect(unknown.status == 404)
        #expect(Self.message(unknown) == "manifest for test/busybox:nope not found: manifest unknown: manifest unknown")
        let missing = try fixture.call("GET", "/images/nosuch/image:1/json")
        #expect(Self.message(missing) == "no such image: nosuch/image:1: No such image: nosuch/image:1")
        #expect(try fixture.call("GET", "/images/local%2Fbusybox:latest/json").status == 200)
    }

    @Test func aRequestSplitAnywhereIsServedTheSame() throws {
        let fixture = try Fixture()
        let template = Fixture.request(
            "POST", "/v1.41/containers/create?name=split-000", json: "{\"Image\":\"local/busybox:latest\"}",
            contentType: "application/json")
        for (index, sizes) in splittings(of: template.utf8.count).enumerated() {
            let bytes = Array(template.replacingOccurrences(of: "split-000", with: "split-\(100 + index)").utf8)
            var pieces: [[UInt8]] = []
            var start = 0
            for size in sizes {
                pieces.append(Array(bytes[start..<(start + size)]))
                start += size
            }
            let client = try fixture.client()
            try client.send(pieces: pieces)
            #expect(try client.readResponse().status == 201, "cutting \(index)")
        }
        #expect(fixture.engine.containerStates.count == splittings(of: template.utf8.count).count)
    }

    @Test func bytesThatAreNotHTTPGetGoPlainTextErrorAndTheConnectionCloses() throws {
        let fixture = try Fixture()
        let client = try fixture.client()
        try client.send("GET /_ping HTTP/1.1\r\n\r\n")
        let answer = try client.readResponse()
        #expect(answer.status == 400 && answer.header("Connection") == "close")
        #expect(answer.bodyString == "400 Bad Request")
        #expect(throws: TestClientError.self) { try client.readResponse(timeout: .seconds(30)) }
    }

    @Test func anHTTP10ClientGetsItsStreamsUnframedAndEndedByClosing() throws {
        let fixture = try Fixture()
        let id = try fixture.create("old-client")
        #expect(try fixture.call("POST", "/containers/\(id)/start").status == 204)
        #expect(fixture.engine.exit(container: id, code: 5))
        let client = try fixture.client()
        try client.send("POST /containers/\(id)/wait HTTP/1.0\r\n\r\n")
        let answer = try client.readResponse()
        #expect(answer.status == 200 && answer.header("Transfer-Encoding") == nil && !answer.wasChunked)
        #expect(answer.bodyString == "{\"Error\":null,\"StatusCode\":5}\n", "the body runs to the close")
    }

    @Test func keepAliveServesCallsInTurnOnOneConnection() throws {
        let fixture = try Fixture()
        let client = try fixture.client()
        try client.send(TestHTTPClient.request("/_ping") + TestHTTPClient.request("/version"))
        #expect(try client.readResponse().bodyString == "OK")
        #expect(try client.readResponse().status == 200)
        #expect(fixture.engine.requests["GET /_ping"] == 1 && fixture.engine.requests["GET /version"] == 1)
    }

    /// Three hundred long polls open at once: one loop serves them, not a thread each.
    @Test func longPollsCostNoThreadApiece() throws {
        let fixture = try Fixture()
        let id = try fixture.create("crowded")
        let before = Self.threadCount()
        let waiters = try (0..<300).map { _ in
            let client = try fixture.client()
            try client.send(TestHTTPClient.request("/containers/\(id)/wait?condition=next-exit", method: "POST"))
            return client
        }
        for waiter in waiters { #expect(try waiter.readResponse(forHead: true).status == 200) }
        let during = Self.threadCount()
        #expect(fixture.engine.containerStates.first?.waiters == 300)
        // Other suites run beside this one and start threads of their own, hence the margin; a thread per
        // connection would add at least 300.
        #expect(during - before < 150, "threads before \(before), with 300 open waits \(during)")
        #expect(try fixture.call("POST", "/containers/\(id)/start").status == 204)
        #expect(fixture.engine.exit(container: id, code: 0))
        for waiter in waiters {
            #expect(
                try waiter.readChunk().map { String(decoding: $0, as: UTF8.self) }
                    == "{\"Error\":null,\"StatusCode\":0}\n")
        }
    }

    @Test func aClosedWaiterIsForgotten() throws {
        let fixture = try Fixture()
        let id = try fixture.create("abandoned")
        do {
            let waiter = try fixture.client()
            try waiter.send(TestHTTPClient.request("/containers/\(id)/wait?condition=next-exit", method: "POST"))
            #expect(try waiter.readResponse(forHead: true).status == 200)
        }
        #expect(eventually { fixture.engine.containerStates.first?.waiters == 0 })
        #expect(eventually { fixture.engine.openConnections == 0 })
    }

    static func threadCount() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("Threads:") } ?? ""
        return Int(line.split(separator: "\t").last ?? "") ?? 0
    }
}

/// How the simulated engine reads a request target: the version prefix, decoded segments, the query.
@Suite struct SimulatedDockerTargetTests {
    @Test func theVersionPrefixIsReadAndAMalformedOneMatchesNoRoute() throws {
        let target = try #require(SimulatedDockerTarget(path: "/v1.41/containers/abc/json", query: nil))
        #expect(target.version?.major == 1 && target.version?.minor == 41)
        #expect(target.segments == ["containers", "abc", "json"])
        #expect(SimulatedDockerTarget(path: "/containers/json", query: nil)?.version == nil)
        #expect(SimulatedDockerTarget(path: "/v1/containers/json", query: nil) == nil)
        #expect(SimulatedDockerTarget(path: "/v1.2.3/containers/json", query: nil) == nil)
        #expect(SimulatedDockerTarget(path: "/v./containers/json", query: nil) == nil)
    }

    @Test func segmentsAndQueryArePercentDecodedAndMalformedEscapesKept() throws {
        let target = try #require(
            SimulatedDockerTarget(
                path: "/images/local%2Fbusybox:latest/json", query: "fromImage=a%2Fb&tag=x+y&tag=z&flag"))
        #expect(target.segments == ["images", "local/busybox:latest", "json"])
        #expect(target.query == ["fromImage": "a/b", "tag": "x y", "flag": ""], "the first of a repeated parameter")
        #expect(SimulatedDockerTarget.percentDecoded("100%") == "100%")
        #expect(SimulatedDockerTarget.percentDecoded("%zz%4") == "%zz%4")
        #expect(SimulatedDockerTarget.percentDecoded("%41%42") == "AB")
    }

    @Test func flagsAreGoBooleans() throws {
        let target = try #require(SimulatedDockerTarget(path: "/x", query: "a=1&b=0&c=false&d=no&e=none&f=&g=yes"))
        #expect(["a", "g"].allSatisfy(target.flag))
        #expect(!["b", "c", "d", "e", "f", "missing"].contains(where: target.flag))
    }
}
