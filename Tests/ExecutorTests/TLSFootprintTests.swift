import EventLoop
import Foundation
import Simulators
import TestSupport
import Testing

@testable import Executor

/// OpenSSL is loaded only when a TLS peer is configured: a plain executor (local engine, plain Sidecar, no Vault)
/// never maps libssl; one that resolves a secret from an https Vault does. Each run also prints the executor's
/// resident set, the figure the notes compare (the release binary when it is built, as the benchmarks run it).
@Suite(.serialized) struct TLSFootprintTests {
    private func runningExecutorMaps(extra: [String: String], parameters: [(String, String)]) throws -> (
        maps: String, rssKB: Int
    ) {
        let agent = try SimulatedAgent()
        agent.start()
        defer { agent.stop() }
        let executor = try ExecutorProcess(agent: agent, name: "footprint", extra: extra)
        defer { executor.tearDown() }
        // FOOTPRINT_BINARY compares another build (e.g. main's) under the same conditions.
        let release =
            ProcessInfo.processInfo.environment["FOOTPRINT_BINARY"].map { URL(fileURLWithPath: $0) }
            ?? ProgramUnderTest.repositoryRoot.appendingPathComponent(".build/release/sidecar-executor")
        if FileManager.default.isExecutableFile(atPath: release.path) { executor.process.executableURL = release }
        let taskID = "footprint-\(DockerTestEngine.uniqueSuffix())"
        defer { DockerTestEngine.removeContainers(taskID: taskID) }
        var task = SimulatedAgentTask(taskID: taskID, image: "local/busybox:latest", command: "sleep 300")
        task.labels = [("SidecarDiscover", "false")]
        task.parameters = parameters
        agent.launch(task)
        try executor.start()
        #expect(eventually(timeout: .seconds(60)) { agent.states(of: taskID).contains("TASK_RUNNING") })
        let pid = executor.process.processIdentifier
        // Read to the end: the maps of a sanitizer build run to megabytes (its shadow memory), past what one read of
        // `String(contentsOfFile:)` returns from procfs.
        let mapsData = try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/\(pid)/maps")).readToEnd()
        let maps = String(decoding: mapsData ?? Data(), as: UTF8.self)
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let rssLine = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        let rss = Int(rssLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        print("footprint: \(executor.process.executableURL?.path ?? "?") VmRSS \(rss) kB (\(extra.keys.sorted()))")
        #expect(agent.kill(taskID: taskID, gracePeriod: .seconds(1)))
        #expect(executor.waitForExit(timeout: .seconds(30)) == 0)
        return (maps, rss)
    }

    @Test func aPlainExecutorNeverMapsOpenSSL() throws {
        let (maps, _) = try runningExecutorMaps(extra: [:], parameters: [])
        #expect(maps.contains("[stack]"), "the maps were read")
        #expect(!maps.contains("libssl"), "a plain executor mapped libssl")
        #expect(!maps.contains("libcrypto"))
    }

    @Test func anExecutorWithAnHTTPSVaultMapsOpenSSL() throws {
        let vault = try SimulatedVault(
            certificate: TestCertificates.path("server.pem"), key: TestCertificates.path("server-key.pem"))
        vault.configure {
            $0.tokens["s.root"] = VaultState.Token(expiresAt: Date().timeIntervalSince1970 + 3600)
            $0.secrets["secret/app"] = ["value": "v"]
        }
        vault.start()
        defer { vault.stop() }
        let (maps, _) = try runningExecutorMaps(
            extra: [
                "VAULT_ADDR": vault.address, "VAULT_CACERT": TestCertificates.path("ca.pem"), "VAULT_TOKEN": "s.root",
            ],
            parameters: [("env", "APP_SECRET=vault://secret/app")])
        #expect(maps.contains("libssl.so.3"))
    }
}
