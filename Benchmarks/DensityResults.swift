import Foundation
import Glibc

/// Everything the density benchmark measured, and the figures derived from it.
struct DensityResults {
    /// One group of processes (the executors or a floor): memory from the last sample of the window, CPU and
    /// wake-ups between its first and last sample.
    struct Group {
        var name: String
        var rss: DensitySummary?
        var pss: DensitySummary?
        var unique: DensitySummary?
        var threads: DensitySummary?
        var cpuPercent: DensitySummary?
        var runPercent: DensitySummary?
        var wakeupsPerSecond: DensitySummary?
        var voluntaryPerSecond: DensitySummary?

        init(name: String, first: [DensityProcessSample], last: [DensityProcessSample]) {
            self.name = name
            rss = DensitySummary(last.map { Double($0.rssKB) })
            pss = DensitySummary(last.map { Double($0.pssKB) })
            unique = DensitySummary(last.map { Double($0.uniqueKB) })
            threads = DensitySummary(last.map { Double($0.threads) })
            let byPID = Dictionary(first.map { ($0.pid, $0) }, uniquingKeysWith: { a, _ in a })
            let activity = last.compactMap { end in
                byPID[end.pid].flatMap { $0.takenAt < end.takenAt ? DensityActivity(from: $0, to: end) : nil }
            }
            cpuPercent = DensitySummary(activity.map(\.cpuPercent))
            runPercent = DensitySummary(activity.map(\.runPercent))
            wakeupsPerSecond = DensitySummary(activity.map(\.wakeupsPerSecond))
            voluntaryPerSecond = DensitySummary(activity.map(\.voluntaryPerSecond))
        }
    }

    /// Memory growth of each executor over the window (kB): last minus first sample, the largest excursion above
    /// the first, and the least-squares trend scaled to 10 minutes.
    struct Soak {
        var seconds: Double
        var samples: Int
        var pssGrowth: DensitySummary?
        var uniqueGrowth: DensitySummary?
        var pssPeakAboveFirst: DensitySummary?
        var uniquePeakAboveFirst: DensitySummary?
        var pssTrendPer10Minutes: DensitySummary?
        var uniqueTrendPer10Minutes: DensitySummary?
        /// Per sample: time (s), mean Pss and mean unique over the executors (kB).
        var series: [(seconds: Double, pss: Double, unique: Double)]
    }

    var machine: [String: Any] = [:]
    var lone: DensityProcessSample?
    /// With --vault-tls: the extra executor using Vault over TLS, at the end of the window, and where its memory is.
    var vaultTLS: DensityProcessSample?
    var vaultTLSMap: DensityMemoryMap?
    /// Where the lone executor's memory is, and that of one executor of the fleet at the end of the window.
    var loneMap: DensityMemoryMap?
    var fleetMap: DensityMemoryMap?
    /// Every executor's mappings at the start and at the end of the window (same order, by pid).
    var firstMaps: [DensityMemoryMap] = []
    var lastMaps: [DensityMemoryMap] = []
    var fleetStartSeconds = 0.0
    var launchToRunning: [Double] = []
    var startToSubscribed: [Double] = []
    var exitToUpdate: [Double] = []
    var killReturnToUpdate: [Double] = []
    var killToStopped: [Double] = []
    var killToUpdate: [Double] = []
    var terminalStates: [String: Int] = [:]
    var exitStatuses: [String: Int] = [:]
    var problems: [String] = []
    var leftoverContainers = 0
    var floorNames: [String] = []
    var sampleTimes: [Double] = []
    var executorSamples: [[DensityProcessSample]] = []
    var floorSamples: [[[DensityProcessSample]]] = []
    var groups: [Group] = []
    var soak: Soak?
    var executors = 0
    var windowSeconds = 0.0
    var checks: [DensityBudgetCheck] = []
    /// Thread counts of every executor in every sample of the window: how many readings, the largest, and how many
    /// readings were above 3 (Dispatch starts a worker on demand and ends it after 5 s idle).
    var threadReadings = 0
    var threadReadingsAbove3 = 0
    var maxThreadsSeen = 0

    mutating func addSample(at seconds: Double, executors: [DensityProcessSample], floors: [[DensityProcessSample]]) {
        sampleTimes.append(seconds)
        executorSamples.append(executors)
        floorSamples.append(floors)
    }

    mutating func recordMachine(executorBinary: String) {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let cpuinfo = (densityReadProcFile("/proc/cpuinfo")) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
        let meminfo = (densityReadProcFile("/proc/meminfo")) ?? ""
        let total = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal") }.map(String.init)
        let size = (try? FileManager.default.attributesOfItem(atPath: executorBinary)[.size] as? Int) ?? 0
        machine = [
            "cores": sysconf(Int32(_SC_NPROCESSORS_ONLN)), "cpu": model ?? "", "kernel": release,
            "memory": total ?? "", "executorBinary": executorBinary, "executorBinaryBytes": size,
        ]
    }

    mutating func finish(settings: DensitySettings) {
        executors = settings.executors
        machine["engine"] = settings.simulatedEngine ? "simulated" : "docker"
        machine["catalogServices"] = settings.catalogServices
        machine["executorEnvironment"] = ProcessInfo.processInfo.environment["DENSITY_EXECUTOR_ENV"] ?? ""
        windowSeconds = sampleTimes.last ?? 0
        if let first = executorSamples.first, let last = executorSamples.last {
            groups.append(Group(name: "executor", first: first, last: last))
        }
        if let first = floorSamples.first, let last = floorSamples.last {
            for (index, name) in floorNames.enumerated() where index < first.count && index < last.count {
                groups.append(Group(name: name, first: first[index], last: last[index]))
            }
        }
        soak = makeSoak()
        for sample in executorSamples.joined() {
            threadReadings += 1
            if sample.threads > 3 { threadReadingsAbove3 += 1 }
            maxThreadsSeen = max(maxThreadsSeen, sample.threads)
        }
        checks = DensityBudgetCheck.evaluate(self)
    }

    private func makeSoak() -> Soak? {
        guard executorSamples.count >= 2 else { return nil }
        var pssGrowth: [Double] = []
        var uniqueGrowth: [Double] = []
        var pssPeak: [Double] = []
        var uniquePeak: [Double] = []
        var pssTrend: [Double] = []
        var uniqueTrend: [Double] = []
        for sample in executorSamples[0] {
            var times: [Double] = []
            var pss: [Double] = []
            var unique: [Double] = []
            for (time, samples) in zip(sampleTimes, executorSamples) {
                guard let match = samples.first(where: { $0.pid == sample.pid }) else { continue }
                times.append(time)
                pss.append(Double(match.pssKB))
                unique.append(Double(match.uniqueKB))
            }
            guard let firstPss = pss.first, let lastPss = pss.last, let firstUnique = unique.first,
                let lastUnique = unique.last
            else { continue }
            pssGrowth.append(lastPss - firstPss)
            uniqueGrowth.append(lastUnique - firstUnique)
            pssPeak.append((pss.max() ?? firstPss) - firstPss)
            uniquePeak.append((unique.max() ?? firstUnique) - firstUnique)
            if let slope = densitySlope(times: times, values: pss) { pssTrend.append(slope * 600) }
            if let slope = densitySlope(times: times, values: unique) { uniqueTrend.append(slope * 600) }
        }
        let series = zip(sampleTimes, executorSamples).map { time, samples in
            let count = Double(max(1, samples.count))
            return (
                time, Double(samples.reduce(0) { $0 + $1.pssKB }) / count,
                Double(samples.reduce(0) { $0 + $1.uniqueKB }) / count
            )
        }
        return Soak(
            seconds: sampleTimes.last ?? 0, samples: sampleTimes.count, pssGrowth: DensitySummary(pssGrowth),
            uniqueGrowth: DensitySummary(uniqueGrowth), pssPeakAboveFirst: DensitySummary(pssPeak),
            uniquePeakAboveFirst: DensitySummary(uniquePeak), pssTrendPer10Minutes: DensitySummary(pssTrend),
            uniqueTrendPer10Minutes: DensitySummary(uniqueTrend), series: series)
    }
}
