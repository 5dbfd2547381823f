import EventLoop
import Testing

@testable import Executor

/// The debug log's create body: a secret is hidden in whichever field of the body carries it.
struct CreateBodyRedactionTests {
    static let secret = "hunter2-s3cr3t"
    static let secretValue = JSONValue.string(secret)

    static let cases: [(field: String, value: JSONValue)] = [
        ("Env", .array([.string("DB_PASSWORD=\(secret) with spaces"), "SERVICE_NAME=web"])),
        // Found by the fuzzer: a name with spaces whose secret-looking word is not the last one.
        ("Env", .array([.string("MY KEY X=\(secret)")])),
        (
            "Cmd",
            .array([
                "/bin/sh", "-c", .string("API_TOKEN=\(secret) exec server --password \(secret) --db-key=\(secret)"),
            ])
        ),
        ("Cmd", .array(["server", "--password", secretValue])),
        ("Cmd", .array(["curl", .string("https://deploy:\(secret)@registry.example.com/v2/")])),
        ("Entrypoint", .array(["/entry", .string("--secret=\(secret)")])),
        ("Entrypoint", .array(["/entry", "-token", secretValue])),
        ("Labels", .object(["vault_token": secretValue, "ServiceName": "web"])),
        ("Labels", .object(["note": .string("PASSWORD=\(secret)")])),
        ("HostConfig", .object(["LogConfig": ["Type": "splunk", "Config": ["splunk-token": secretValue]]])),
    ]

    static func logged(_ body: JSONValue) -> String {
        Redaction.createBody(body).jsonString
    }

    @Test(arguments: 0..<cases.count)
    func aSecretIsHiddenInEveryField(index: Int) {
        let (field, value) = Self.cases[index]
        var object = JSONObject()
        object["Image"] = "busybox"
        object[field] = value
        let text = Self.logged(.object(object))
        #expect(!text.contains(Self.secret), "\(field): \(text)")
        #expect(text.contains(Redaction.marker))
    }

    @Test func whatIsNotSecretIsKept() {
        let body: JSONValue = [
            "Image": "busybox", "Env": ["SERVICE_NAME=web", "PORT=8080"],
            "Cmd": ["server", "--port", "8080", "--keepalive"], "Labels": ["ServiceName": "web"],
        ]
        #expect(Self.logged(body) == body.jsonString)
    }
}
