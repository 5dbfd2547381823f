import EventLoop
import Testing

@testable import Executor

struct RegistryCredentialsTests {
    static let configJSON = """
        {"auths":{
          "https://index.docker.io/v1/":{"auth":"aHViOmh1YnBhc3M="},
          "127.0.0.1:5000":{"auth":"YWxpY2U6czNjcjpldA=="},
          "https://registry.example.com/v2/":{"username":"bob","password":"pw"},
          "helper.example.com":{}
        },"credsStore":"desktop"}
        """

    private func parse(_ text: String, format: RegistryCredentials.Format = .configJSON)
        throws(RegistryCredentialsError)
        -> RegistryCredentials
    {
        try RegistryCredentials.parse(Array(text.utf8), format: format, path: "/root/.docker/config.json")
    }

    @Test func readsLoginsFromAuthEntriesAndPlainFields() throws {
        let credentials = try parse(Self.configJSON)
        #expect(
            credentials.entries == [
                RegistryCredential(serverAddress: "https://index.docker.io/v1/", username: "hub", password: "hubpass"),
                RegistryCredential(serverAddress: "127.0.0.1:5000", username: "alice", password: "s3cr:et"),
                RegistryCredential(serverAddress: "https://registry.example.com/v2/", username: "bob", password: "pw"),
            ])
    }

    @Test func readsTheLegacyDockercfgFormat() throws {
        let credentials = try parse(
            #"{"127.0.0.1:5000":{"auth":"YWxpY2U6czNjcjpldA==","email":"a@b"}}"#, format: .dockercfg)
        #expect(credentials.entries.map(\.username) == ["alice"])
    }

    @Test(arguments: [
        ("127.0.0.1:5000/test/busybox:1", "127.0.0.1:5000"),
        ("registry.example.com/team/app:2", "https://registry.example.com/v2/"),
        ("busybox", "https://index.docker.io/v1/"),
        ("docker.io/org/app", "https://index.docker.io/v1/"),
        ("index.docker.io/org/app", "https://index.docker.io/v1/"),
    ])
    func picksTheLoginByTheImagesRegistry(image: String, server: String) throws {
        let credential = try parse(Self.configJSON).credential(
            for: ImageReference(parsing: image), fallbackServer: "https://index.docker.io/v1/")
        #expect(credential?.serverAddress == server)
    }

    @Test func fallsBackToTheConfiguredRepositoryLikeTheOriginal() throws {
        let credentials = try parse(Self.configJSON)
        let image = try ImageReference(parsing: "other.example.org/app:1")
        #expect(credentials.credential(for: image, fallbackServer: "127.0.0.1:5000")?.username == "alice")
        #expect(credentials.credential(for: image, fallbackServer: "https://nowhere.example/") == nil)
    }

    @Test func theAuthHeaderIsURLSafeBase64OfTheLoginJSON() {
        // Expected values computed with Python's base64.urlsafe_b64encode of the compact JSON.
        let alice = RegistryCredential(serverAddress: "127.0.0.1:5000", username: "alice", password: "s3cr:et")
        #expect(
            alice.registryAuthHeader
                == "eyJ1c2VybmFtZSI6ImFsaWNlIiwicGFzc3dvcmQiOiJzM2NyOmV0Iiwic2VydmVyYWRkcmVzcyI6IjEyNy4wLjAuMTo1MDAwIn0="
        )
        let urlSafe = RegistryCredential(serverAddress: "r", username: "u?>", password: "p~~")
        #expect(
            urlSafe.registryAuthHeader == "eyJ1c2VybmFtZSI6InU_PiIsInBhc3N3b3JkIjoicH5-Iiwic2VydmVyYWRkcmVzcyI6InIifQ=="
        )
    }

    @Test func descriptionsNeverShowTheSecret() throws {
        let credentials = try parse(Self.configJSON)
        for credential in credentials.entries {
            #expect(!credential.description.contains(credential.password))
        }
        let broken = #"{"auths":{"r":{"auth":"c2VjcmV0LXBhc3N3b3Jk"}}}"#  // "secret-password", no colon
        #expect(
            throws: RegistryCredentialsError.invalidAuth(
                path: "/root/.docker/config.json", server: "r", reason: "its 'auth' is not 'user:password'")
        ) {
            try parse(broken)
        }
        do {
            _ = try parse(#"{"auths":{"r":{"password":"hunter2" x}}}"#)
            Issue.record("a malformed file must be rejected")
        } catch {
            #expect(!error.description.contains("hunter2"))
            #expect(
                error
                    == .malformedFile(
                        path: "/root/.docker/config.json", reason: "it is not valid JSON (error at byte 36)"))
        }
    }

    @Test(arguments: [
        (
            #"{"auths":{"r":{"auth":"%%%%"}}}"#,
            RegistryCredentialsError.invalidAuth(
                path: "/root/.docker/config.json", server: "r", reason: "its 'auth' is not base64")
        ),
        (
            #"{"auths":[]}"#,
            .malformedFile(
                path: "/root/.docker/config.json", reason: "the registry logins are not a JSON object")
        ),
    ])
    func malformedFilesGiveSpecificErrors(text: String, error: RegistryCredentialsError) {
        #expect(throws: error) { try parse(text) }
    }

    @Test func aFileWithoutLoginsHasNoEntries() throws {
        #expect(try parse(#"{"credsStore":"desktop"}"#).entries.isEmpty)
    }

    @Test(arguments: [
        ("https://index.docker.io/v1/", "docker.io"), ("registry-1.docker.io", "docker.io"),
        ("http://Reg.Example.com:5000/v2/", "reg.example.com:5000"), ("127.0.0.1:5000", "127.0.0.1:5000"),
    ])
    func serverKeysAreNormalizedToTheirHost(key: String, host: String) {
        #expect(RegistryCredentials.normalizedHost(key) == host)
    }
}

struct RegistryCredentialsLoadingTests {
    static let login = Array(#"{"auths":{"r:5000":{"auth":"dTpw"}}}"#.utf8)
    static let legacy = Array(#"{"legacy:5000":{"auth":"dTpw"}}"#.utf8)
    static let rootLogin = Array(#"{"auths":{"https://index.docker.io/v1/":{"auth":"cm9vdDpwdw=="}}}"#.utf8)

    private func load(_ environment: [String: String], files: [String: [UInt8]]) -> RegistryCredentials.Loaded {
        RegistryCredentials.load(environment: environment) { files[$0] }
    }

    @Test func dockerConfigWinsOverHome() {
        let result = load(
            ["DOCKER_CONFIG": "/etc/docker-auth", "HOME": "/home/mesos"],
            files: ["/etc/docker-auth/config.json": Self.login, "/home/mesos/.docker/config.json": Self.legacy])
        #expect(result.path == "/etc/docker-auth/config.json")
        #expect(result.credentials.entries.map(\.serverAddress) == ["r:5000"])
    }

    @Test func homeDockerConfigThenTheLegacyDockercfg() {
        #expect(
            load(["HOME": "/home/mesos"], files: ["/home/mesos/.docker/config.json": Self.login]).path
                == "/home/mesos/.docker/config.json")
        let legacy = load(["HOME": "/home/mesos"], files: ["/home/mesos/.dockercfg": Self.legacy])
        #expect(legacy.path == "/home/mesos/.dockercfg")
        #expect(legacy.credentials.entries.map(\.serverAddress) == ["legacy:5000"])
    }

    @Test func withoutHomeOnlyTheRootRetryFindsTheRootHome() {
        let result = load([:], files: ["/root/.docker/config.json": Self.login])
        #expect(result.path == nil && result.rootRetryPath == "/root/.docker/config.json")
        let image = try? ImageReference(parsing: "r:5000/web:1")
        #expect(
            image.flatMap { result.credentials.credential(for: $0, fallbackServer: "x")?.serverAddress } == "r:5000")
    }

    @Test func noFileMeansAnonymousPulls() {
        let result = load(["HOME": "/home/mesos"], files: [:])
        #expect(result.path == nil && result.rootRetryPath == nil && result.skipped.isEmpty)
        #expect(result.credentials == RegistryCredentials())
    }

    /// The original's Docker client passed over a file it could not open or parse and tried the next one.
    @Test func aFileThatCannotBeParsedIsSkippedForTheNextOne() {
        let result = load(
            ["DOCKER_CONFIG": "/etc/docker-auth", "HOME": "/home/mesos"],
            files: [
                "/etc/docker-auth/config.json": Array("{not json".utf8),
                "/home/mesos/.docker/config.json": Array(#"{"auths":{"r:5000":{"auth":"!!"}}}"#.utf8),
                "/home/mesos/.dockercfg": Self.legacy,
            ])
        #expect(result.path == "/home/mesos/.dockercfg")
        #expect(result.credentials.entries.map(\.serverAddress) == ["legacy:5000"])
        #expect(result.skipped.count == 2)
        #expect(result.skipped.allSatisfy { $0.hasSuffix("It is skipped.") })
        #expect(result.skipped[0].contains("/etc/docker-auth/config.json") && result.skipped[0].contains("JSON"))
        #expect(result.skipped[1].contains("/home/mesos/.docker/config.json") && result.skipped[1].contains("base64"))
    }

    @Test func anUnreadableFileIsSkippedAndReported() {
        let result = RegistryCredentials.load(environment: ["HOME": "/home/mesos"]) { path throws(FileReadError) in
            if path == "/home/mesos/.docker/config.json" {
                throw FileReadError.tooLarge(path: path, limit: RegistryCredentials.maxFileBytes)
            }
            return path == "/home/mesos/.dockercfg" ? Self.legacy : nil
        }
        #expect(result.path == "/home/mesos/.dockercfg")
        #expect(
            result.skipped == [
                "The Docker config file /home/mesos/.docker/config.json cannot be read: it is larger than 1048576 bytes."
                    + " It is skipped."
            ])
    }

    /// No login for the image's registry (nor EXECUTOR_DOCKER_REPOSITORY's) under HOME: the original set
    /// HOME=/root and looked again.
    @Test func whenNoLoginMatchesTheRootHomeIsSearchedAgain() throws {
        let result = load(
            ["HOME": "/var/lib/mesos"],
            files: ["/var/lib/mesos/.docker/config.json": Self.login, "/root/.docker/config.json": Self.rootLogin])
        #expect(result.path == "/var/lib/mesos/.docker/config.json")
        #expect(result.rootRetryPath == "/root/.docker/config.json")
        let hub = try ImageReference(parsing: "acme/web:1")
        let private5000 = try ImageReference(parsing: "r:5000/web:1")
        let other = try ImageReference(parsing: "quay.io/x/y:1")
        let fallback = "https://index.docker.io/v1/"
        #expect(result.credentials.credential(for: private5000, fallbackServer: fallback)?.username == "u")
        #expect(result.credentials.credential(for: hub, fallbackServer: fallback)?.username == "root")
        // No match in either: the fallback key, searched in both in turn.
        #expect(result.credentials.credential(for: other, fallbackServer: fallback)?.username == "root")
        #expect(result.credentials.credential(for: other, fallbackServer: "r:5000")?.username == "u")
        #expect(result.credentials.credential(for: other, fallbackServer: "nowhere") == nil)
    }

    @Test func withHomeAlreadyRootThereIsNoSecondSearch() {
        let result = load(["HOME": "/root"], files: ["/root/.docker/config.json": Self.login])
        #expect(result.path == "/root/.docker/config.json" && result.rootRetryPath == nil)
        #expect(result.credentials.rootRetryEntries.isEmpty)
    }

    @Test func theRealReaderFindsARealFile() throws {
        let directory = "/tmp/docker-config-\(UInt64.random(in: 0...UInt64.max))"
        try DockerTestEngine.run(["/bin/mkdir", "-p", directory])
        defer { _ = try? DockerTestEngine.run(["/bin/rm", "-rf", directory]) }
        try DockerTestEngine.run([
            "/bin/sh", "-c", "printf '%s' '\(String(decoding: Self.login, as: UTF8.self))' > \(directory)/config.json",
        ])
        let result = RegistryCredentials.load(environment: ["DOCKER_CONFIG": directory, "HOME": "/root"])
        #expect(result.path == "\(directory)/config.json")
        #expect(result.credentials.entries.map(\.username) == ["u"])
    }
}
