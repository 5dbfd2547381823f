import Testing

@testable import EventLoop

struct EndpointTests {
    @Test(arguments: [
        ("10.0.0.5:5051", Endpoint.tcp(host: "10.0.0.5", port: 5051)),
        ("localhost:7777", .tcp(host: "localhost", port: 7777)),
        ("mesos-agent.example.com:5051", .tcp(host: "mesos-agent.example.com", port: 5051)),
        ("[::1]:5051", .tcp(host: "::1", port: 5051)),
        ("[2001:db8::7]:65535", .tcp(host: "2001:db8::7", port: 65535)),
        ("tcp://127.0.0.1:2375", .tcp(host: "127.0.0.1", port: 2375)),
        ("TCP://docker:2375/", .tcp(host: "docker", port: 2375)),
        ("http://sidecar:7777", .tcp(host: "sidecar", port: 7777)),
        ("http://sidecar", .tcp(host: "sidecar", port: 80)),
        ("http://[::1]/", .tcp(host: "::1", port: 80)),
        ("unix:///var/run/docker.sock", .unix(path: "/var/run/docker.sock")),
        ("unix:/tmp/x.sock", .unix(path: "/tmp/x.sock")),
    ])
    func parsesEverySupportedForm(text: String, expected: Endpoint) throws {
        #expect(try Endpoint(parsing: text) == expected)
    }

    @Test(arguments: [
        ("", EndpointParseError.Reason.empty),
        ("10.0.0.5", .missingPort),
        ("tcp://10.0.0.5", .missingPort),
        ("10.0.0.5:", .invalidPort("")),
        ("10.0.0.5:0", .invalidPort("0")),
        ("10.0.0.5:65536", .invalidPort("65536")),
        ("10.0.0.5:+80", .invalidPort("+80")),
        ("10.0.0.5:80x", .invalidPort("80x")),
        (":80", .emptyHost),
        ("[]:80", .invalidIPv6Address),
        ("[::1:80", .unterminatedBracket),
        ("[::1]80", .invalidCharacter),
        ("[nothex::]:80", .invalidIPv6Address),
        ("::1:5051", .unbracketedIPv6Address),
        ("bad host:80", .invalidCharacter),
        ("https://x:443", .unsupportedScheme("https")),
        ("http://x:80/path", .unexpectedPath),
        ("unix://relative.sock", .relativeUnixPath),
        ("unix:", .relativeUnixPath),
    ])
    func rejectsMalformedTextWithASpecificReason(text: String, reason: EndpointParseError.Reason) {
        #expect(throws: EndpointParseError(input: text, reason: reason)) { try Endpoint(parsing: text) }
    }

    @Test func boundsWhatConfigurationCanMakeItParse() {
        let longHost = String(repeating: "a", count: 254) + ":80"
        #expect(throws: EndpointParseError(input: longHost, reason: .hostTooLong(limit: 253))) {
            try Endpoint(parsing: longHost)
        }
        let huge = String(repeating: "9", count: 5000)
        #expect(throws: EndpointParseError(input: huge, reason: .tooLong(limit: 1024))) { try Endpoint(parsing: huge) }
        let longPath = "unix:///" + String(repeating: "p", count: 200)
        #expect(throws: EndpointParseError(input: longPath, reason: .unixPathTooLong(limit: 107))) {
            try Endpoint(parsing: longPath)
        }
    }

    @Test func describesItselfInAParseableForm() throws {
        for text in ["10.0.0.5:5051", "[::1]:5051", "unix:///var/run/docker.sock"] {
            let endpoint = try Endpoint(parsing: text)
            #expect(endpoint.description == text)
            #expect(try Endpoint(parsing: endpoint.description) == endpoint)
        }
    }

    @Test func errorsReadAsSentencesNamingTheInput() {
        let error = EndpointParseError(input: "10.0.0.5", reason: .missingPort)
        #expect(error.description == "The endpoint '10.0.0.5' is invalid: it has no port; expected 'host:port'.")
    }
}
