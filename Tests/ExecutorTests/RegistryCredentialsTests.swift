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

    private func load(_ environment: [String: String], files: [String: [UInt8]]) throws(RegistryCredentialsError)
        -> (servers: [String], path: String?)
    {
        let (credentials, path) = try RegistryCredentials.load(environment: environment) { files[$0] }
        return (credentials.entries.map(\.serverAddress), path)
    }

    @Test func dockerConfigWinsOverHome() throws {
        let result = try load(
            ["DOCKER_CONFIG": "/etc/docker-auth", "HOME": "/home/mesos"],
            files: ["/etc/docker-auth/config.json": Self.login, "/home/mesos/.docker/config.json": Self.legacy])
        #expect(result.path == "/etc/docker-auth/config.json")
        #expect(result.servers == ["r:5000"])
    }

    @Test func homeDockerConfigThenTheLegacyDockercfg() throws {
        #expect(
            try load(["HOME": "/home/mesos"], files: ["/home/mesos/.docker/config.json": Self.login]).path
                == "/home/mesos/.docker/config.json")
        let legacy = try load(["HOME": "/home/mesos"], files: ["/home/mesos/.dockercfg": Self.legacy])
        #expect(legacy.path == "/home/mesos/.dockercfg")
        #expect(legacy.servers == ["legacy:5000"])
    }

    @Test func withoutHomeTheRootHomeIsSearched() throws {
        #expect(try load([:], files: ["/root/.docker/config.json": Self.login]).path == "/root/.docker/config.json")
    }

    @Test func noFileMeansAnonymousPulls() throws {
        let result = try load(["HOME": "/home/mesos"], files: [:])
        #expect(result.path == nil)
        #expect(result.servers.isEmpty)
    }

    @Test func anUnreadableFileIsReported() {
        #expect(
            throws: RegistryCredentialsError.unreadable(
                path: "/root/.docker/config.json", reason: "it is larger than 1048576 bytes")
        ) {
            try RegistryCredentials.load(environment: [:]) { path throws(FileReadError) in
                throw FileReadError.tooLarge(path: path, limit: RegistryCredentials.maxFileBytes)
            }
        }
    }

    @Test func theRealReaderFindsARealFile() throws {
        let directory = "/tmp/docker-config-\(UInt64.random(in: 0...UInt64.max))"
        try DockerTestEngine.run(["/bin/mkdir", "-p", directory])
        defer { _ = try? DockerTestEngine.run(["/bin/rm", "-rf", directory]) }
        try DockerTestEngine.run([
            "/bin/sh", "-c", "printf '%s' '\(String(decoding: Self.login, as: UTF8.self))' > \(directory)/config.json",
        ])
        let (credentials, path) = try RegistryCredentials.load(environment: ["DOCKER_CONFIG": directory])
        #expect(path == "\(directory)/config.json")
        #expect(credentials.entries.map(\.username) == ["u"])
    }
}
