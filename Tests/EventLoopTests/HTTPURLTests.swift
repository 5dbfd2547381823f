import EventLoop
import Testing

struct HTTPURLTests {
    @Test func parsesHostPortAndTarget() throws {
        let url = try HTTPURL(parsing: "http://localhost:7777/state.json")
        #expect(url.host == "localhost" && url.port == 7777 && url.target == "/state.json")
        #expect(url.origin == "http://localhost:7777")
        #expect(url.hostHeader == "localhost:7777")
    }

    @Test func defaultsThePortAndThePath() throws {
        let url = try HTTPURL(parsing: "http://sidecar.local")
        #expect(url.port == 80 && url.target == "/" && url.hostHeader == "sidecar.local")
        let query = try HTTPURL(parsing: "http://h?x=1")
        #expect(query.target == "/?x=1")
    }

    @Test func parsesHTTPSWithPort443ByDefault() throws {
        let url = try HTTPURL(parsing: "https://vault.example/v1/sys")
        #expect(url.isTLS && url.port == 443 && url.hostHeader == "vault.example" && url.target == "/v1/sys")
        #expect(url.origin == "https://vault.example:443")
        #expect(try !HTTPURL(parsing: "http://h").isTLS)
    }

    @Test func parsesBracketedIPv6() throws {
        let url = try HTTPURL(parsing: "http://[::1]:8080/a/b?c")
        #expect(url.host == "::1" && url.port == 8080 && url.target == "/a/b?c")
        #expect(url.origin == "http://[::1]:8080")
    }

    @Test(arguments: [
        ("ftp://h/", "does not start with http:// or https://"),
        ("http:///x", "has no host"),
        ("http://h:0/", "not a number from 1 to 65535"),
        ("http://h:99999/", "not a number from 1 to 65535"),
        ("http://h:ab/", "not a number from 1 to 65535"),
        ("http://[::1/", "no closing ']'"),
        ("http://u:p@h/", "user information"),
    ])
    func rejectsWhatItCannotUse(text: String, reason: String) {
        #expect {
            try HTTPURL(parsing: text)
        } throws: { error in
            (error as? HTTPURLError)?.description.contains(reason) == true
        }
    }
}
