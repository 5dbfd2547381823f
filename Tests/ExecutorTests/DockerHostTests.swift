import EventLoop
import Testing

@testable import Executor

struct DockerHostTests {
    @Test(arguments: [
        ([String: String](), Endpoint.unix(path: "/var/run/docker.sock")),
        (["DOCKER_HOST": ""], .unix(path: "/var/run/docker.sock")),
        (
            ["DOCKER_HOST": "unix:///tmp/sidecar-executor-engine/docker.sock"],
            .unix(path: "/tmp/sidecar-executor-engine/docker.sock")
        ),
        (["DOCKER_HOST": "tcp://127.0.0.1:2375"], .tcp(host: "127.0.0.1", port: 2375)),
        (["DOCKER_HOST": "tcp://docker.example"], .tcp(host: "docker.example", port: 2375)),
        (["DOCKER_HOST": "tcp://[::1]:2377/"], .tcp(host: "::1", port: 2377)),
        (["DOCKER_HOST": "tcp://[::1]"], .tcp(host: "::1", port: 2375)),
        (["DOCKER_HOST": "tcp://h:1", "DOCKER_TLS_VERIFY": "0"], .tcp(host: "h", port: 1)),
    ])
    func readsDockerHostLikeTheCLI(environment: [String: String], endpoint: Endpoint) throws {
        #expect(try DockerHost.endpoint(environment: environment) == endpoint)
    }

    @Test(arguments: [
        ["DOCKER_HOST": "ssh://user@host"], ["DOCKER_HOST": "unix://relative/path"], ["DOCKER_HOST": "tcp://h:99999"],
        ["DOCKER_HOST": "tcp://h:2376", "DOCKER_TLS_VERIFY": "1"],
    ])
    func refusesWhatItCannotSpeak(environment: [String: String]) {
        #expect(throws: DockerError.self) { try DockerHost.endpoint(environment: environment) }
    }

    @Test func theTLSRefusalSaysWhy() {
        #expect(
            throws: DockerError.invalidHost(
                "DOCKER_TLS_VERIFY is set, but this executor speaks plain HTTP to the engine")
        ) {
            try DockerHost.endpoint(environment: ["DOCKER_TLS_VERIFY": "1"])
        }
    }
}
