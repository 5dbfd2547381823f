import EventLoop
import Foundation
import Glibc
import Simulators
import TestSupport

/// `swift run -c release Benchmarks density`: N real executors side by side, each with its own simulated agent
/// and a real long-lived container on the private engine, Sidecar polled every second against one simulated
/// Sidecar; their memory, threads and idle CPU beside two floors (C and Swift), and the latencies of LAUNCH ->
/// TASK_RUNNING, container exit -> terminal UPDATE and KILL (grace 0) -> container stopped.
final class DensityBenchmark: @unchecked Sendable {
    let settings: DensitySettings
    let runID = String(UUIDv4.random().description.prefix(8))
    let engine: DensityEngine
    /// `--engine simulated`: the Docker engine the executors talk to, in this process.
    private let simulatedEngine: SimulatedDockerEngine?
    private let workDirectory: String
    private var sidecar: SimulatedSidecar?
    private var deaths: DensityDieEvents?
    private var floors: DensityFloors?
    private var slots: [DensityExecutorSlot] = []
    /// With --vault-tls: one more executor, using Vault over TLS, and its Vault.
    private var vaultSlot: DensityExecutorSlot?
    private var vault: SimulatedVault?
    private var results = DensityResults()

    init(settings: DensitySettings) throws {
        var settings = settings
        if settings.simulatedEngine {
            // A thousand executors hold three engine connections each, plus the agents' and Sidecar's sockets.
            var limit = rlimit()
            getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            limit.rlim_cur = limit.rlim_max
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            let engine = try SimulatedDockerEngine(socketPath: NSTemporaryDirectory() + "density-engine-\(runID).sock")
            engine.start()
            settings.dockerHost = engine.dockerHost
            simulatedEngine = engine
        } else {
            simulatedEngine = nil
        }
        self.settings = settings
        engine = try DensityEngine(dockerHost: settings.dockerHost)
        workDirectory = NSTemporaryDirectory() + "density-\(runID)"
    }

    static func main(_ arguments: [String]) {
        do {
            let benchmark = try DensityBenchmark(settings: try DensitySettings.parse(arguments))
            // Ctrl-C must not leave a hundred executors, their containers and the floors behind.
            let interrupts = [SIGINT, SIGTERM].map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    benchmark.progress("interrupted: stopping the executors and removing their containers")
                    benchmark.cleanUp()
                    exit(130)
                }
                source.resume()
                return source
            }
            try withExtendedLifetime(interrupts) { try benchmark.run() }
        } catch {
            FileHandle.standardError.write(Data("density: \(error)\n".utf8))
            exit(1)
        }
    }

    /// Whether the benchmark process a container's `density.pid` label names is still running.
    static func madeByALiveProcess(_ labels: [String: String]) -> Bool {
        guard let pid = labels["density.pid"].flatMap({ Int32($0) }), pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    func run() throws {
        do {
            // Inside: a failed preparation must still stop a simulated engine and the Sidecar it started.
            try prepare()
            try startFleet()
            try measureSteadyState()
            measureEndings()
            waitForExits()
        } catch {
            cleanUp()
            throw error
        }
        cleanUp()
        results.finish(settings: settings)
        results.printReport()
        try results.write(to: settings.jsonPath)
        print("\nall figures written to \(settings.jsonPath)")
    }

    /// The binary's file name: executor.sh links it into each sandbox under that name.
    private var executableName: String {
        settings.executorBinary.split(separator: "/").last.map(String.init) ?? settings.executorBinary
    }

    // MARK: - Phases

    private func prepare() throws {
        guard engine.ping() else { throw DensityFailure("the engine at \(settings.dockerHost) does not answer") }
        guard engine.imageExists("local/busybox:latest") else {
            throw DensityFailure("the engine has no local/busybox:latest (scripts/docker-engine.sh start imports it)")
        }
        if settings.build {
            progress("building the executor: swift build -c release --product sidecar-executor")
            try DensityFloors.run(
                "/usr/bin/env", ["swift", "build", "-c", "release", "--product", "sidecar-executor"],
                directory: settings.root)
        }
        guard FileManager.default.isExecutableFile(atPath: settings.executorBinary) else {
            throw DensityFailure("no executor binary at \(settings.executorBinary); build it first")
        }
        progress("building the floors (gcc -O2; swiftc -O -static-stdlib)")
        floors = try DensityFloors(directory: "\(settings.root)/.build/density-floors")
        // Pages of a file written moments ago are still dirty in the page cache, and smaps counts a dirty page
        // that only one process maps as Private_Dirty: without this, a fresh binary inflates "unique".
        sync()
        // Containers an earlier run left behind (it crashed or was interrupted). A run still going on the same engine
        // keeps its own: each container names the benchmark process that made it (`density.pid`).
        for stale in (try? engine.labelledContainers(withLabel: "density.run")) ?? []
        where !Self.madeByALiveProcess(stale.labels) {
            _ = engine.remove(container: stale.id)
        }
        let sidecar = try SimulatedSidecar(hostname: "density-host")
        if settings.catalogServices > 0 {
            var random = SeededGenerator(seed: 0x5EED)
            sidecar.catalog = SidecarCatalog.generated(
                hosts: max(1, settings.catalogServices / 50), servicesPerHost: 50, localHost: "density-host",
                using: &random)
        }
        // A soak answers ~N requests a second: the request log would grow without bound.
        sidecar.server.keepsRequestLog = false
        sidecar.start()
        self.sidecar = sidecar
        deaths = try DensityDieEvents(engine: engine, label: "density.run=\(runID)")
        results.recordMachine(executorBinary: settings.executorBinary)
    }

    private func startFleet() throws {
        guard let sidecar else { return }
        slots = try (0..<settings.executors).map {
            try DensityExecutorSlot(index: $0, runID: runID, root: workDirectory)
        }
        // The first executor runs alone until healthy: the "lone executor" figures.
        progress("executor 0 alone")
        try slots[0].start(settings: settings, sidecar: sidecar, runID: runID)
        guard slots[0].waitUntilHealthy(timeout: .seconds(30)) else {
            throw DensityFailure("executor 0 never reported its Sidecar verdict (see \(slots[0].sandbox)/stderr)")
        }
        Thread.sleep(forTimeInterval: 3)
        results.lone = slots[0].pid.flatMap(DensityProcessSample.read)
        results.loneMap = slots[0].pid.flatMap { DensityMemoryMap.read(pid: $0, executable: executableName) }

        progress("starting \(settings.executors - 1) more, \(settings.concurrency) at a time")
        let started = ContinuousClock.now
        try runConcurrently(Array(slots.dropFirst()), width: settings.concurrency) { slot in
            try slot.start(settings: self.settings, sidecar: sidecar, runID: self.runID)
        }
        results.fleetStartSeconds = DensityExecutorSlot.milliseconds(ContinuousClock.now - started) / 1000
        for slot in slots {
            guard slot.waitUntilHealthy(timeout: .seconds(60)) else {
                throw DensityFailure("executor \(slot.index) never reported its Sidecar verdict")
            }
        }
        results.launchToRunning = slots.compactMap(\.launchToRunningMs)
        results.startToSubscribed = slots.compactMap(\.startToSubscribedMs)
        progress("all \(slots.count) executors report their service healthy")
        if settings.vaultTLS { try startVaultExecutor(sidecar: sidecar) }
    }

    /// One more executor whose task has a `vault://` value, resolved through a simulated Vault over TLS (the test
    /// CA of scripts/make-test-certs.sh): a userpass login, a token renewal and lookup, then the secret.
    private func startVaultExecutor(sidecar: SimulatedSidecar) throws {
        let password = "density-\(runID)"
        let vault = try SimulatedVault(
            certificate: TestCertificates.path("server.pem"), key: TestCertificates.path("server-key.pem"))
        vault.configure {
            $0.users["executor"] = password
            $0.secrets["secret/density"] = ["value": "resolved"]
        }
        vault.start()
        self.vault = vault
        let slot = try DensityExecutorSlot(index: settings.executors, runID: runID, root: workDirectory)
        slot.vaultEnvironment = [
            "VAULT_ADDR": vault.address, "VAULT_CACERT": TestCertificates.path("ca.pem"),
            "VAULT_USERNAME": "executor", "VAULT_PASSWORD": password,
        ]
        vaultSlot = slot
        progress("one more executor, with a vault:// value resolved over TLS")
        try slot.start(settings: settings, sidecar: sidecar, runID: runID)
        guard slot.waitUntilHealthy(timeout: .seconds(60)) else {
            throw DensityFailure("the Vault executor never reported healthy (see \(slot.sandbox)/stderr)")
        }
        guard vault.recordedCalls.contains(where: { $0.path == "secret/density" && $0.status == 200 }) else {
            throw DensityFailure("the Vault executor never read its secret (see \(slot.sandbox)/stderr)")
        }
    }

    private func measureSteadyState() throws {
        try floors?.start(count: settings.executors)
        progress("floors started (\(settings.executors) copies each); settling for \(Int(settings.settle)) s")
        Thread.sleep(forTimeInterval: settings.settle)
        let executorPIDs = slots.compactMap(\.pid)
        let floorPIDs = floors?.floors.map { $0.processes.map(\.processIdentifier) } ?? []
        let start = ContinuousClock.now
        var nextSample = 0.0
        // Every executor's mappings at the start and the end of the window: which part of the memory grew.
        let maps = { executorPIDs.compactMap { DensityMemoryMap.read(pid: $0, executable: self.executableName) } }
        results.firstMaps = maps()
        let loadAtStart = densityReadProcFile("/proc/loadavg")?.split(separator: " ").prefix(3).joined(separator: " ")
        while true {
            let elapsed = DensityExecutorSlot.milliseconds(ContinuousClock.now - start) / 1000
            results.addSample(
                at: elapsed, executors: executorPIDs.compactMap(DensityProcessSample.read),
                floors: floorPIDs.map { $0.compactMap(DensityProcessSample.read) })
            if elapsed >= settings.seconds {
                let loadAtEnd = densityReadProcFile("/proc/loadavg")?.split(separator: " ").prefix(3).joined(
                    separator: " ")
                results.machine["loadAverage"] =
                    "\(loadAtStart ?? "?") at the window's start, \(loadAtEnd ?? "?") at its end"
                results.lastMaps = maps()
                break
            }
            progress("steady state: \(Int(elapsed)) of \(Int(settings.seconds)) s")
            nextSample = min(settings.seconds, nextSample + settings.sampleEvery)
            let wait = nextSample - DensityExecutorSlot.milliseconds(ContinuousClock.now - start) / 1000
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        }
        if let pid = vaultSlot?.pid {
            results.vaultTLS = DensityProcessSample.read(pid: pid)
            results.vaultTLSMap = DensityMemoryMap.read(pid: pid, executable: executableName)
        }
        results.floorNames = floors?.floors.map(\.name) ?? []
        results.fleetMap = slots[slots.count / 2].pid.flatMap {
            DensityMemoryMap.read(pid: $0, executable: executableName)
        }
        floors?.stop()
    }

    /// Even executors: the container is SIGKILLed from outside. Odd ones: KILL with grace 0. One at a time, so each
    /// figure is that of an otherwise idle host.
    private func measureEndings() {
        guard let deaths else { return }
        progress("ending every task: container SIGKILL (even) or KILL grace 0 (odd), one at a time")
        for slot in slots {
            do {
                if slot.index % 2 == 0 {
                    let figures = try slot.measureExit(engine: engine, deaths: deaths)
                    results.exitToUpdate.append(figures.fromDeath)
                    results.killReturnToUpdate.append(figures.fromKillReturn)
                    results.terminalStates[figures.state, default: 0] += 1
                } else {
                    let figures = try slot.measureKill(deaths: deaths)
                    results.killToStopped.append(figures.toStopped)
                    results.killToUpdate.append(figures.toUpdate)
                    results.terminalStates[figures.state, default: 0] += 1
                }
            } catch {
                results.problems.append("\(error)")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    private func waitForExits() {
        if let vaultSlot, let deaths {
            do {
                _ = try vaultSlot.measureKill(deaths: deaths)
            } catch {
                results.problems.append("the Vault executor: \(error)")
            }
            let status = vaultSlot.waitForExit(timeout: 30)
            if status != 0 {
                results.problems.append("the Vault executor exited with \(status.map { "\($0)" } ?? "nothing")")
            }
        }
        for slot in slots {
            let status = slot.waitForExit(timeout: 30)
            results.exitStatuses[status.map { "\($0)" } ?? "still running", default: 0] += 1
        }
    }

    private func cleanUp() {
        let all = slots + (vaultSlot.map { [$0] } ?? [])
        for slot in all { slot.terminate() }
        for slot in all { _ = slot.waitForExit(timeout: 20) }
        floors?.stop()
        deaths?.stop()
        for slot in all { slot.agent.stop() }
        vault?.stop()
        sidecar?.stop()
        let leftovers = (try? engine.containers(withLabel: "density.run=\(runID)")) ?? []
        results.leftoverContainers = leftovers.count
        for container in leftovers { _ = engine.remove(container: container) }
        simulatedEngine?.stop()
        if results.problems.isEmpty {
            try? FileManager.default.removeItem(atPath: workDirectory)
        } else {
            progress("problems: the sandboxes are kept in \(workDirectory)")
        }
    }

    /// Runs `body` on `width` threads over `items`; rethrows the first error after every thread stopped.
    private func runConcurrently(
        _ items: [DensityExecutorSlot], width: Int, _ body: @escaping @Sendable (DensityExecutorSlot) throws -> Void
    ) throws {
        let lock = NSLock()
        nonisolated(unsafe) var next = 0
        nonisolated(unsafe) var failure: (any Error)?
        let group = DispatchGroup()
        for _ in 0..<min(width, items.count) {
            group.enter()
            let thread = Thread {
                while true {
                    let item: DensityExecutorSlot? = lock.withLock {
                        guard failure == nil, next < items.count else { return nil }
                        defer { next += 1 }
                        return items[next]
                    }
                    guard let item else { break }
                    do {
                        try body(item)
                    } catch {
                        lock.withLock { failure = failure ?? error }
                    }
                    let done = lock.withLock { next }
                    if done % 10 == 0 { self.progress("started \(done + 1) of \(self.slots.count)") }
                }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        if let failure { throw failure }
    }

    private func progress(_ text: String) {
        print("density: \(text)")
        fflush(nil)
    }
}
