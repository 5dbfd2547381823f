import EventLoop
import Foundation
import Simulators
import TestSupport

/// What one Sidecar poll costs the executor when Sidecar's catalog is cluster-sized: the real executor binary, one
/// task with a real container, polling a simulated Sidecar every second, read from `/proc` over a window. Three
/// ways side by side: the state document of a catalog listing only this host's service (today's density figure),
/// the state document of a cluster (`--services`, default 10,000: 200 hosts of 50), and the per-service endpoint
/// over the same cluster (the executor asks by its `ServiceName` label once TASK_HOST names the host).
///
/// `swift run -c release Benchmarks sidecar-poll [--services N] [--seconds S] [--no-build]`; needs the private
/// engine (DOCKER_HOST). Per-poll CPU is the executor's run time over the window divided by the polls Sidecar
/// answered in it: everything the executor did, timers included, charged to the polls.
enum SidecarPollBenchmark {
    struct Mode {
        var name: String
        var clusterServices: Int
        var taskHost: Bool
    }

    struct Figures {
        var mode: Mode
        var polls: Int
        var targets: Set<String>
        var bodyBytes: Int
        var cpuMicrosecondsPerPoll: Double
        var rssKB: Int
        var peakRssKB: Int
    }

    static func main(_ arguments: [String]) {
        var services = 10_000
        var seconds = 60.0
        var densityArguments: [String] = []
        var remaining = arguments[...]
        while let option = remaining.popFirst() {
            switch option {
            case "--services": services = remaining.popFirst().flatMap { Int($0) } ?? services
            case "--seconds": seconds = remaining.popFirst().flatMap { Double($0) } ?? seconds
            default: densityArguments.append(option)
            }
        }
        do {
            let settings = try DensitySettings.parse(densityArguments)
            if settings.build {
                print("sidecar-poll: building the executor (swift build -c release --product sidecar-executor)")
                let build = Process()
                build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                build.arguments = ["swift", "build", "-c", "release", "--product", "sidecar-executor"]
                try build.run()
                build.waitUntilExit()
            }
            let modes = [
                Mode(name: "state document, this host's service only", clusterServices: 0, taskHost: false),
                Mode(name: "state document, \(services) services", clusterServices: services, taskHost: false),
                Mode(name: "per-service endpoint, \(services) services", clusterServices: services, taskHost: true),
            ]
            let runID = String(UUIDv4.random().description.prefix(8))
            var figures: [Figures] = []
            for (index, mode) in modes.enumerated() {
                print("sidecar-poll: \(mode.name): \(Int(seconds)) s of 1 s polls")
                fflush(nil)
                figures.append(try measure(mode, index: index, seconds: seconds, settings: settings, runID: runID))
            }
            report(figures)
        } catch {
            FileHandle.standardError.write(Data("sidecar-poll: \(error)\n".utf8))
            exit(1)
        }
    }

    private static func measure(_ mode: Mode, index: Int, seconds: Double, settings: DensitySettings, runID: String)
        throws -> Figures
    {
        let sidecar = try SimulatedSidecar(hostname: "density-host")
        if mode.clusterServices > 0 {
            var random = SeededGenerator(seed: 0x5EED)
            sidecar.catalog = SidecarCatalog.generated(
                hosts: max(1, mode.clusterServices / 50), servicesPerHost: 50, localHost: "density-host",
                using: &random)
        }
        sidecar.start()
        defer { sidecar.stop() }
        // The executor slot reads extra variables from DENSITY_EXECUTOR_ENV when it spawns the executor.
        setenv("DENSITY_EXECUTOR_ENV", mode.taskHost ? "TASK_HOST=density-host" : "", 1)
        let root = NSTemporaryDirectory() + "sidecar-poll-\(runID)"
        let slot = try DensityExecutorSlot(index: index, runID: runID, root: root)
        defer {
            slot.terminate()
            _ = slot.waitForExit(timeout: 20)
            slot.agent.stop()
            try? FileManager.default.removeItem(atPath: root)
        }
        try slot.start(settings: settings, sidecar: sidecar, runID: runID)
        guard slot.waitUntilHealthy(timeout: .seconds(30)), let pid = slot.pid else {
            throw DensityFailure("the executor never reported its Sidecar verdict (see \(slot.sandbox)/stderr)")
        }
        Thread.sleep(forTimeInterval: 2)
        let requestsBefore = sidecar.requests.count
        guard let first = DensityProcessSample.read(pid: pid) else { throw DensityFailure("executor gone") }
        Thread.sleep(forTimeInterval: seconds)
        guard let last = DensityProcessSample.read(pid: pid) else { throw DensityFailure("executor gone") }
        let window = sidecar.requests.dropFirst(requestsBefore)
        let polls = max(1, window.count)
        let targets = Set(window.map(\.path))
        let body =
            targets.contains("/state.json")
            ? sidecar.stateJSON.utf8.count
            : sidecar.catalog.servicesJSON(
                named: "density-\(index)"
            ).utf8.count
        return Figures(
            mode: mode, polls: window.count, targets: targets, bodyBytes: body,
            cpuMicrosecondsPerPoll: Double(last.runNanoseconds - first.runNanoseconds) / 1000 / Double(polls),
            rssKB: last.rssKB, peakRssKB: peakRss(pid: pid))
    }

    /// VmHWM: the most resident memory the process ever had.
    private static func peakRss(pid: Int32) -> Int {
        guard let status = densityReadProcFile("/proc/\(pid)/status"),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    private static func report(_ figures: [Figures]) {
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        print(
            "\n" + pad("", 46) + pad("polls", 7) + pad("body B", 10) + pad("CPU/poll us", 13) + pad("Rss kB", 9)
                + pad("peak Rss kB", 13) + "N=300 @30 s, % of a core")
        for figure in figures {
            // 300 executors polling every 30 s make 10 polls a second.
            let hostShare = figure.cpuMicrosecondsPerPoll * 10 / 1_000_000 * 100
            print(
                pad(figure.mode.name, 46) + pad("\(figure.polls)", 7) + pad("\(figure.bodyBytes)", 10)
                    + pad(String(format: "%.0f", figure.cpuMicrosecondsPerPoll), 13) + pad("\(figure.rssKB)", 9)
                    + pad("\(figure.peakRssKB)", 13) + String(format: "%.3f", hostShare))
            print(pad("", 46) + "requests: " + figure.targets.sorted().joined(separator: ", "))
        }
    }
}
