import Simulators
import Testing

private func time(_ text: String) -> SidecarTimestamp { SidecarTimestamp(rfc3339: text)! }

/// A started simulator at a fixed clock, with service `0123456789ab` ("web") on its own host.
private func startedSidecar(withWeb: Bool = true) throws -> SimulatedSidecar {
    let sidecar = try SimulatedSidecar(hostname: "node-a")
    sidecar.clock = { time("2024-05-01T10:00:04.5Z") }
    if withWeb {
        sidecar.setService(
            id: "0123456789ab", name: "web", image: "acme/web:1.4",
            ports: [SidecarPort(type: "tcp", port: 31001, servicePort: 8080, ip: "10.0.0.5")],
            created: time("2024-05-01T10:00:00Z"))
    }
    sidecar.start()
    return sidecar
}

/// One request on a fresh connection.
private func exchange(
    _ sidecar: SimulatedSidecar, _ target: String, method: String = "GET", headers: [String] = []
) throws -> TestHTTPResponse {
    let client = try TestHTTPClient(sidecar.server)
    try client.send(TestHTTPClient.request(target, method: method, headers: headers))
    return try client.readResponse()
}

struct SimulatedSidecarTests {
    @Test func servesTheStateInSidecarsExactShapeOnBothPaths() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.clock = { time("2024-05-01T10:05:03.123456789Z") }
        sidecar.setStatus(id: "0123456789ab", .alive)
        for path in ["/state.json", "/api/state.json"] {
            let response = try exchange(sidecar, path)
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.header("Access-Control-Allow-Origin") == "*")
            #expect(response.header("Date") == "Wed, 01 May 2024 10:05:03 GMT")
            #expect(response.bodyString == SidecarCatalogTests.oneService)
            #expect(!response.wasChunked)
        }
    }

    @Test func servesTheEmptyCatalogExactly() throws {
        let sidecar = try startedSidecar(withWeb: false)
        defer { sidecar.stop() }
        sidecar.hostname = "vm"
        let expected = #"{"Servers":{},"LastChanged":"1970-01-01T00:00:00Z","ClusterName":"default","Hostname":"vm"}"#
        #expect(try exchange(sidecar, "/state.json").bodyString == expected)
        #expect(sidecar.stateJSON == expected)
    }

    @Test func sendsALargeStateChunkedAsGoDoes() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        for index in 0..<12 { sidecar.setService(id: "svc\(index)", name: "name\(index)") }
        let response = try exchange(sidecar, "/api/state.json")
        #expect(response.wasChunked)
        #expect(response.header("Content-Length") == nil)
        #expect(response.body.count > 2048)
        #expect(response.bodyString == sidecar.stateJSON)
    }

    @Test func drainsItsOwnServiceWith202AndTheStateShowsDraining() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        let response = try exchange(
            sidecar, "/api/services/0123456789ab/drain", method: "POST", headers: ["Content-Length: 0"])
        #expect(response.status == 202)
        #expect(response.header("Content-Type") == "application/json")
        #expect(
            response.bodyString
                == "{\n  \"Message\": \"Service \\\"web\\\" instance \\\"0123456789ab\\\" set to DRAINING\"\n}")
        #expect(sidecar.service(id: "0123456789ab")?.status == .draining)
        #expect(try exchange(sidecar, "/state.json").bodyString.contains(#""Status":4"#))
    }

    @Test func answers404ForAnUnknownOrForeignService() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.setService(id: "remote000001", name: "web", host: "node-b")
        for id in ["000000000000", "remote000001"] {
            let response = try exchange(sidecar, "/api/services/\(id)/drain", method: "POST")
            #expect(response.status == 404)
            #expect(response.header("Content-Type") == "application/json")
            #expect(
                response.bodyString == #"{"message":"Not Found - Service ID \"\#(id)\" not found","status":"error"}"#)
        }
        #expect(sidecar.service(id: "remote000001")?.status == .alive)
    }

    @Test func answersAWrongMethodWith405AndAnEmptyBody() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        for (method, path) in [
            ("GET", "/api/services/0123456789ab/drain"), ("POST", "/state.json"), ("HEAD", "/api/state.json"),
        ] {
            let client = try TestHTTPClient(sidecar.server)
            try client.send(TestHTTPClient.request(path, method: method))
            let response = try client.readResponse(forHead: method == "HEAD")
            #expect(response.status == 405)
            #expect(response.body.isEmpty)
            #expect(response.header("Content-Length") == "0")
            #expect(response.header("Content-Type") == nil)
        }
        #expect(sidecar.service(id: "0123456789ab")?.status == .alive)
    }

    @Test func answersUnknownPathsWithGorillasPlainText404() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        for path in ["/nope", "/services/0123456789ab/drain", "/api", "/api/services/x/y/z", "/state.json/x"] {
            let response = try exchange(sidecar, path, method: path.hasSuffix("drain") ? "POST" : "GET")
            #expect(response.status == 404)
            #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(response.bodyString == "404 page not found\n")
        }
    }

    @Test func rejectsOtherExtensionsWithAJSON404() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        for path in ["/api/state.xml", "/state.yaml"] {
            let response = try exchange(sidecar, path)
            #expect(response.status == 404)
            #expect(response.header("Access-Control-Allow-Origin") == nil)
            #expect(
                response.bodyString == #"{"message":"Not Found - Invalid content type extension","status":"error"}"#)
        }
    }

    @Test func answersCORSPreflightsAndFlagsUnsimulatedRoutes() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        let options = try exchange(sidecar, "/api/state.json", method: "OPTIONS")
        #expect(options.status == 200)
        #expect(options.header("Access-Control-Allow-Methods") == "GET")
        #expect(try exchange(sidecar, "/api/services.json").status == 501)
        #expect(try exchange(sidecar, "/watch").status == 501)
    }

    @Test func neverAnswersInHangMode() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.mode = .hang
        let client = try TestHTTPClient(sidecar.server)
        try client.send(TestHTTPClient.request("/state.json"))
        #expect(throws: TestClientError.timedOut(received: 0)) { try client.readResponse(timeout: .milliseconds(500)) }
        #expect(sidecar.requests.map(\.path) == ["/state.json"])
    }

    @Test(arguments: [100, 10 * 1024 * 1024])
    func sendsExactlyTheRequestedGarbage(count: Int) throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.mode = .garbage(bytes: count)
        let response = try exchange(sidecar, "/state.json")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.body.count == count)
        #expect(response.body.first == UInt8(ascii: "<"))
        #expect(response.wasChunked == (count > 2048))
    }

    @Test func answersWithTheChosenStatusInStatusMode() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.mode = .status(503)
        let response = try exchange(sidecar, "/api/services/0123456789ab/drain", method: "POST")
        #expect(response.status == 503)
        #expect(response.bodyString == #"{"message":"Service Unavailable - simulated","status":"error"}"#)
        #expect(sidecar.service(id: "0123456789ab")?.status == .alive)
    }

    @Test func closesConnectionsInRefuseModeIncludingOpenOnes() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        let open = try TestHTTPClient(sidecar.server)
        try open.send(TestHTTPClient.request("/state.json"))
        #expect(try open.readResponse().status == 200)
        sidecar.mode = .refuse
        let fresh = try TestHTTPClient(sidecar.server)
        #expect(Result { try fresh.readUntilClosed() }.isEndOfStreamOrReset)
        try open.send(TestHTTPClient.request("/state.json"))
        #expect(Result { try open.readUntilClosed() }.isEndOfStreamOrReset)
        sidecar.mode = .normal
        #expect(try exchange(sidecar, "/state.json").status == 200)
    }

    @Test func consumesTheDrainScriptInOrderThenAnswersNormally() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.drainResponses = [404, 500, 202]
        let path = "/api/services/0123456789ab/drain"
        let first = try exchange(sidecar, path, method: "POST")
        #expect(first.status == 404)
        #expect(
            first.bodyString == #"{"message":"Not Found - Service ID \"0123456789ab\" not found","status":"error"}"#)
        let second = try exchange(sidecar, path, method: "POST")
        #expect(second.status == 500)
        #expect(second.bodyString.contains("Something went terribly wrong"))
        #expect(sidecar.service(id: "0123456789ab")?.status == .alive)
        #expect(try exchange(sidecar, path, method: "POST").status == 202)
        #expect(sidecar.service(id: "0123456789ab")?.status == .draining)
        #expect(sidecar.drainResponses.isEmpty)
        #expect(try exchange(sidecar, "/api/services/unknown00000/drain", method: "POST").status == 404)
    }

    @Test func logsRequestsInOrderWithTheirTimes() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        let before = ContinuousClock.now
        let client = try TestHTTPClient(sidecar.server)
        try client.send(TestHTTPClient.request("/state.json"))
        _ = try client.readResponse()
        try client.send(TestHTTPClient.request("/api/services/0123456789ab/drain", method: "POST"))
        _ = try client.readResponse()
        let log = sidecar.requests
        #expect(log.map(\.method) == ["GET", "POST"])
        #expect(log.map(\.path) == ["/state.json", "/api/services/0123456789ab/drain"])
        #expect(log[0].connectionID == log[1].connectionID)
        #expect(before <= log[0].receivedAt && log[0].receivedAt <= log[1].receivedAt)
        #expect(sidecar.waitForRequests(count: 2, timeout: .milliseconds(10)))
        sidecar.server.keepsRequestLog = false
        try client.send(TestHTTPClient.request("/state.json"))
        _ = try client.readResponse()
        #expect(sidecar.requests.count == 2)
        #expect(sidecar.server.requestCount == 3)
    }

    @Test func keepsDrainingWhenChecksPassButNotWhenTheyFail() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        #expect(try exchange(sidecar, "/api/services/0123456789ab/drain", method: "POST").status == 202)
        #expect(!sidecar.setStatus(id: "0123456789ab", .alive))
        #expect(sidecar.service(id: "0123456789ab")?.status == .draining)
        #expect(sidecar.setStatus(id: "0123456789ab", .unhealthy))
        #expect(sidecar.service(id: "0123456789ab")?.status == .unhealthy)
    }

    @Test func reflectsHostnameAndServiceChangesInTheState() throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.removeService(id: "0123456789ab")
        sidecar.hostname = "node-z"
        sidecar.setService(id: "abcdefabcdef", name: "api", status: .unhealthy)
        let state = try exchange(sidecar, "/state.json").bodyString
        #expect(
            state.hasPrefix(#"{"Servers":{"node-z":{"Name":"node-z","Services":{"abcdefabcdef":{"ID":"abcdefabcdef""#))
        #expect(state.contains(#""Status":2"#))
        #expect(state.hasSuffix(#""Hostname":"node-z"}"#))
        #expect(!state.contains("0123456789ab"))
    }

    @Test func servesOverAUnixSocket() throws {
        let directory = makeTemporaryDirectory()
        let sidecar = try SimulatedSidecar(unixPath: directory + "/sidecar.sock")
        sidecar.start()
        #expect(sidecar.endpointString == "unix://\(directory)/sidecar.sock")
        #expect(try exchange(sidecar, "/state.json").status == 200)
        sidecar.stop()
        #expect(!fileExists(directory + "/sidecar.sock"))
    }
}
