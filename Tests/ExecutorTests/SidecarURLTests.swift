import Testing

@testable import Executor

struct SidecarURLTests {
    @Test func theDefaultURLNamesLocalhostPort7777AndTheRootAlias() throws {
        let url = try SidecarURL("http://localhost:7777/state.json")
        #expect(url.host == "localhost")
        #expect(url.port == 7777)
        #expect(url.stateTarget == "/state.json")
        #expect(url.hostHeader == "localhost:7777")
        #expect(url.description == "http://localhost:7777/state.json")
    }

    @Test func theDrainTargetIgnoresTheStatePath() throws {
        let url = try SidecarURL("http://10.0.0.5:7777/some/prefix/api/state.json?x=1")
        #expect(url.stateTarget == "/some/prefix/api/state.json?x=1")
        #expect(url.drainTarget(serviceID: "0123456789ab") == "/api/services/0123456789ab/drain")
    }

    @Test func portDefaultsTo80AndPathToSlash() throws {
        let url = try SidecarURL("HTTP://sidecar.example")
        #expect(url.port == 80)
        #expect(url.stateTarget == "/")
        #expect(url.hostHeader == "sidecar.example")
        #expect(try SidecarURL("http://h?q=1").stateTarget == "/?q=1")
        #expect(try SidecarURL("http://h:81/a#frag").stateTarget == "/a")
    }

    @Test func ipv6LiteralsLoseTheirBracketsButKeepThemInTheHostHeader() throws {
        let url = try SidecarURL("http://[::1]:7777/api/state.json")
        #expect(url.host == "::1")
        #expect(url.port == 7777)
        #expect(url.hostHeader == "[::1]:7777")
        #expect(try SidecarURL("http://[fe80::1%25eth0]/").host == "fe80::1%25eth0")
    }

    @Test func malformedURLsAreRejectedWithTheProblem() {
        let cases: [(String, SidecarURLError.Problem)] = [
            ("localhost:7777/state.json", .noScheme),
            ("https://localhost:7777/state.json", .unsupportedScheme("https")),
            ("unix:///var/run/sidecar.sock", .unsupportedScheme("unix")),
            ("http://user:pw@localhost/", .userInfo),
            ("http:///state.json", .invalidHost),
            ("http://:7777/", .invalidHost),
            ("http://[::1/", .invalidHost),
            ("http://[::1]x/", .invalidHost),
            ("http://bad host/", .invalidHost),
            ("http://h\r\nX-Evil: 1/", .invalidHost),
            ("http://localhost:0/", .invalidPort("0")),
            ("http://localhost:65536/", .invalidPort("65536")),
            ("http://localhost:77a/", .invalidPort("77a")),
            ("http://localhost:7777/state json", .invalidPath),
            ("http://localhost:7777/é", .invalidPath),
        ]
        for (text, problem) in cases {
            #expect(throws: SidecarURLError(url: text, problem: problem), "\(text)") { try SidecarURL(text) }
        }
    }

    @Test func errorDescriptionsNameTheURLAndTheProblem() {
        #expect(
            SidecarURLError(url: "https://x/", problem: .unsupportedScheme("https")).description
                == "EXECUTOR_SIDECAR_URL \"https://x/\" cannot be used because its scheme \"https\" is not supported"
                + " (only http is).")
        #expect(
            SidecarURLError(url: "http://x:0/", problem: .invalidPort("0")).description
                == "EXECUTOR_SIDECAR_URL \"http://x:0/\" cannot be used because its port \"0\" is not a number from 1"
                + " to 65535.")
    }
}
