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
        (["DOCKER_HOST": "tcp://h", "DOCKER_TLS_VERIFY": "1"], .tcp(host: "h", port: 2376)),
    ])
    func readsDockerHostLikeTheCLI(environment: [String: String], endpoint: Endpoint) throws {
        #expect(try DockerHost.endpoint(environment: environment) == endpoint)
    }

    @Test(arguments: [
        ["DOCKER_HOST": "ssh://user@host"], ["DOCKER_HOST": "unix://relative/path"], ["DOCKER_HOST": "tcp://h:99999"],
    ])
    func refusesWhatItCannotSpeak(environment: [String: String]) {
        #expect(throws: DockerError.self) { try DockerHost.endpoint(environment: environment) }
    }

    @Test func tlsVerifyNamesTheCertificatesAsTheCLIDoes() throws {
        let (_, tls) = try DockerHost.connection(environment: [
            "DOCKER_HOST": "tcp://h", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/certs/",
        ])
        #expect(
            tls
                == TLSSettings(
                    caFile: "/certs/ca.pem", certificateFile: "/certs/cert.pem", keyFile: "/certs/key.pem"))
        let (_, defaulted) = try DockerHost.connection(environment: ["DOCKER_TLS_VERIFY": "0", "HOME": "/home/u"])
        #expect(defaulted?.caFile == "/home/u/.docker/ca.pem")
        #expect(try DockerHost.connection(environment: ["DOCKER_HOST": "tcp://h"]).tls == nil)
    }
}
