import EventLoop
import Foundation
import Testing

@testable import Executor

struct TaskFactoryTests {
    @Test func buildsTheClientAndLoginsFromTheEnvironment() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("factory-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try #"{"auths":{"r:5000":{"auth":"dTpw"}}}"#.write(
            toFile: directory + "/config.json", atomically: true, encoding: .utf8)
        let loop = EventLoop(label: "factory")
        var settings = ExecutorSettings()
        settings.keepContainers = true
        let factory = try loop.queue.sync {
            try TaskFactory.make(
                loop: loop, settings: settings, sandboxDirectory: "/sandbox",
                environment: ["DOCKER_HOST": "unix:///tmp/x/docker.sock", "DOCKER_CONFIG": directory],
                logSink: ContainerLogRecorder(), healthChecking: { _ in NoHealthChecking() })
        }
        #expect(factory.client.endpoint == .unix(path: "/tmp/x/docker.sock"))
        #expect(factory.settings.credentials.entries.map(\.serverAddress) == ["r:5000"])
        #expect(factory.settings.sandboxDirectory == "/sandbox")
        #expect(factory.settings.hostCPUCount == ProcessInfo.processInfo.activeProcessorCount)
        let supervisor = loop.queue.sync {
            factory.makeSupervisor(
                reporter: SupervisorStatusRecorder(), sendsKillingState: true, onFinished: {})
        }
        #expect(supervisor.settings.sendsKillingState)
        #expect(supervisor.settings.executor.keepContainers)
    }

    @Test func aBrokenConfigFileMeansAnonymousPullsNotAFailure() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("factory-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "{not json".write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
        let loop = EventLoop(label: "factory")
        let factory = try loop.queue.sync {
            try TaskFactory.make(
                loop: loop, settings: ExecutorSettings(), sandboxDirectory: "/sandbox",
                environment: ["DOCKER_CONFIG": directory], logSink: ContainerLogRecorder())
        }
        #expect(factory.settings.credentials.entries.isEmpty)
        #expect(factory.client.endpoint == .unix(path: "/var/run/docker.sock"))
    }

    @Test func healthIsCheckedBySidecarUnlessTheTaskTurnsItOff() throws {
        let loop = EventLoop(label: "factory")
        let factory = try loop.queue.sync {
            try TaskFactory.make(
                loop: loop, settings: ExecutorSettings(), sandboxDirectory: "/sandbox", environment: [:],
                logSink: ContainerLogRecorder())
        }
        let (sidecar, off) = loop.queue.sync {
            (
                factory.healthCheckingForLabels(["ServiceName": "web"]),
                factory.healthCheckingForLabels(["SidecarDiscover": "false"])
            )
        }
        #expect(sidecar is SidecarHealthMonitor)
        #expect(off is NoHealthChecking)
    }

    @Test func anUnusableDockerHostIsAnError() {
        let loop = EventLoop(label: "factory")
        #expect(throws: DockerError.self) {
            try loop.queue.sync {
                try TaskFactory.make(
                    loop: loop, settings: ExecutorSettings(), sandboxDirectory: "/s",
                    environment: ["DOCKER_HOST": "ssh://host"], logSink: ContainerLogRecorder())
            }
        }
    }
}
