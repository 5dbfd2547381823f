import EventLoop
import Testing

@testable import Executor

struct DockerAPITests {
    @Test(arguments: [
        (String?.some("1.41"), "1.41"), ("1.43", "1.41"), ("1.35", "1.35"), ("1.30", "1.30"), (nil, "1.41"),
    ])
    func negotiatesTheOlderOfOursAndTheServers(header: String?, expected: String) throws {
        #expect(try DockerAPI.negotiate(serverVersion: header).description == expected)
    }

    @Test func refusesAnEngineOlderThanNextExitWaits() {
        #expect(throws: DockerError.unsupportedAPIVersion("1.29")) { try DockerAPI.negotiate(serverVersion: "1.29") }
        #expect(throws: DockerError.malformedResponse("the Api-Version header 'x.y' is not a version")) {
            try DockerAPI.negotiate(serverVersion: "x.y")
        }
    }

    @Test func targetsMatchTheRecordedExchanges() throws {
        let image = try ImageReference(parsing: "local/busybox:latest")
        #expect(DockerAPI.imageInspect(image) == "/images/local/busybox:latest/json")
        #expect(DockerAPI.pull(image) == "/images/create?fromImage=local%2Fbusybox&tag=latest")
        let registry = try ImageReference(parsing: "127.0.0.1:5000/test/busybox:1")
        #expect(DockerAPI.pull(registry) == "/images/create?fromImage=127.0.0.1%3A5000%2Ftest%2Fbusybox&tag=1")
        #expect(DockerAPI.create(name: "mesos-task-1") == "/containers/create?name=mesos-task-1")
        #expect(DockerAPI.wait("abc", condition: .nextExit) == "/containers/abc/wait?condition=next-exit")
        #expect(DockerAPI.wait("abc", condition: .notRunning) == "/containers/abc/wait?condition=not-running")
        #expect(DockerAPI.start("abc") == "/containers/abc/start")
        #expect(DockerAPI.inspect("abc") == "/containers/abc/json")
        #expect(DockerAPI.kill("abc") == "/containers/abc/kill?signal=SIGKILL")
        #expect(DockerAPI.remove("abc") == "/containers/abc?force=1&v=1")
        #expect(DockerAPI.logs("abc") == "/containers/abc/logs?follow=1&stdout=1&stderr=1&timestamps=0")
    }

    @Test(arguments: [
        (Duration.seconds(2), "t=2"), (.milliseconds(1500), "t=2"), (.zero, "t=0"), (.milliseconds(1), "t=1"),
        (.seconds(-3), "t=0"),
    ])
    func stopTakesTheGraceInWholeSecondsRoundedUp(grace: Duration, query: String) {
        #expect(DockerAPI.stop("abc", grace: grace) == "/containers/abc/stop?\(query)")
    }

    @Test func percentEncodingKeepsOnlyUnreservedAndAllowedCharacters() {
        #expect(DockerAPI.percentEncoded("a b/c:d@e~f") == "a%20b%2Fc%3Ad%40e~f")
        #expect(DockerAPI.percentEncoded("a b/c:d@e", keeping: "/:@") == "a%20b/c:d@e")
        #expect(DockerAPI.percentEncoded("\u{e9}") == "%C3%A9")
    }

    @Test func errorMessagesComeFromTheJSONMessage() {
        let body = Array(#"{"message":"No such image: nosuch/image:1"}"#.utf8)
        #expect(DockerAPI.errorMessage(from: body, status: 404) == "No such image: nosuch/image:1")
        #expect(DockerAPI.errorMessage(from: Array("page not found\n".utf8), status: 404) == "page not found")
        #expect(DockerAPI.errorMessage(from: [], status: 502) == "HTTP status 502 with no message")
        let long = DockerAPI.errorMessage(from: [UInt8](repeating: UInt8(ascii: "x"), count: 10_000), status: 500)
        #expect(long.utf8.count == DockerAPI.maxMessageBytes + 3)
    }

    @Test func decodesTheCreateAnswer() throws {
        let body = #"{"Id":"2ad39c8706dd5d2d77d450ec84f3d891de3e137036053b7fec36e2432c315894","Warnings":[]}"#
        #expect(
            try DockerAPI.createdID(from: Array(body.utf8))
                == "2ad39c8706dd5d2d77d450ec84f3d891de3e137036053b7fec36e2432c315894")
        #expect(throws: DockerError.malformedResponse("the create answer has no Id")) {
            try DockerAPI.createdID(from: Array(#"{"Warnings":[]}"#.utf8))
        }
    }

    @Test func decodesTheWaitAnswer() throws {
        #expect(
            try DockerAPI.exit(from: Array("{\"Error\":null,\"StatusCode\":3}\n".utf8))
                == ContainerExit(statusCode: 3))
        #expect(
            try DockerAPI.exit(from: Array(#"{"Error":{"Message":"boom"},"StatusCode":137}"#.utf8))
                == ContainerExit(statusCode: 137, errorMessage: "boom"))
        #expect(
            try DockerAPI.exit(from: Array(#"{"Error":{"Message":""},"StatusCode":0}"#.utf8))
                == ContainerExit(statusCode: 0))
        #expect(throws: DockerError.malformedResponse("the wait answer has no StatusCode")) {
            try DockerAPI.exit(from: Array(#"{"Error":null}"#.utf8))
        }
        #expect(throws: DockerError.self) { try DockerAPI.exit(from: Array("{\"Error\":nu".utf8)) }
    }

    @Test func decodesAddressesFromTheInspect() throws {
        let body = """
            {"Id":"abc","State":{"Status":"running"},"NetworkSettings":{"IPAddress":"172.17.0.2",
             "Ports":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"18090"}]},
             "Networks":{"bridge":{"IPAddress":"172.17.0.2"},"user1":{"IPAddress":"10.0.0.9"},"none":{"IPAddress":""}}}}
            """
        #expect(
            try DockerAPI.details(from: Array(body.utf8))
                == ContainerDetails(id: "abc", ipAddresses: ["172.17.0.2", "10.0.0.9"]))
        let host = #"{"Id":"def","NetworkSettings":{"IPAddress":"","Networks":{"host":{"IPAddress":""}}}}"#
        #expect(try DockerAPI.details(from: Array(host.utf8)) == ContainerDetails(id: "def", ipAddresses: []))
    }

    @Test func decodesTheOOMKillerVerdictFromTheInspect() throws {
        let killed = #"{"Id":"a","State":{"Status":"exited","OOMKilled":true,"ExitCode":137}}"#
        #expect(try DockerAPI.details(from: Array(killed.utf8)).oomKilled)
        let notKilled = #"{"Id":"a","State":{"Status":"exited","OOMKilled":false,"ExitCode":137}}"#
        #expect(try !DockerAPI.details(from: Array(notKilled.utf8)).oomKilled)
        #expect(try !DockerAPI.details(from: Array(#"{"Id":"a"}"#.utf8)).oomKilled)
    }
}
