import Foundation

/// The density benchmark's printed table and its JSON file.
extension DensityResults {
    func printReport() {
        print("\n== footprint: \(executors) of each side by side, steady state over \(format(windowSeconds, 0)) s")
        print(
            pad("", 22) + pad("Rss kB", 9) + pad("Pss kB", 9) + pad("unique kB", 11) + pad("threads", 9)
                + pad("CPU % core", 12) + pad("(exact)", 10) + pad("wake-ups/s", 12) + "(voluntary)")
        if let lone {
            print(
                pad("lone executor", 22) + pad("\(lone.rssKB)", 9) + pad("\(lone.pssKB)", 9)
                    + pad("\(lone.uniqueKB)", 11) + pad("\(lone.threads)", 9))
        }
        for group in groups {
            row("\(group.name) mean", group, \.mean)
            if group.name == "executor" { row("\(group.name) max", group, \.max) }
        }
        if let vaultTLS {
            print(
                pad("executor, Vault TLS", 22) + pad("\(vaultTLS.rssKB)", 9) + pad("\(vaultTLS.pssKB)", 9)
                    + pad("\(vaultTLS.uniqueKB)", 11) + pad("\(vaultTLS.threads)", 9)
                    + "(one more executor, at the end of the window)")
        }
        if let fleet = groups.first(where: { $0.name == "executor" }), let pss = fleet.pss, let cpu = fleet.cpuPercent,
            let run = fleet.runPercent
        {
            print(
                "fleet total (\(machine["engine"] ?? "docker") engine): Pss \(format(pss.mean * Double(pss.count) / 1024, 1)) MB "
                    + "of \(pss.count) executors, CPU \(format(cpu.mean * Double(cpu.count), 2)) % of one core "
                    + "(exact \(format(run.mean * Double(run.count), 2)) %); load average \(machine["loadAverage"] ?? "?")"
            )
        }
        print(
            "threads: \(threadReadings) readings of executors during the window, \(threadReadingsAbove3) above 3, "
                + "largest \(maxThreadsSeen)")
        printMemoryMaps()
        printLatencies()
        if let soak { printSoak(soak) }
        print("\n== budget (N = \(executors))")
        for check in checks {
            let verdict = check.met.map { $0 ? "meets" : "MISSES" } ?? "not measured"
            let measured = check.measured.map { format($0, check.unit == "% core" ? 4 : 1) } ?? "-"
            print(
                pad(check.name, 30) + pad("\(measured) \(check.unit)", 18)
                    + pad("\(check.inclusive ? "<=" : "<") \(format(check.limit, 2)) \(check.unit)", 18)
                    + pad(verdict, 14) + check.note)
        }
        print("\nterminal states: \(terminalStates.sorted { $0.key < $1.key })")
        print(
            "executor exit statuses: \(exitStatuses.sorted { $0.key < $1.key }); leftover containers: \(leftoverContainers)"
        )
        for problem in problems { print("problem: \(problem)") }
    }

    private func row(_ title: String, _ group: Group, _ pick: KeyPath<DensitySummary, Double>) {
        func value(_ summary: DensitySummary?, _ decimals: Int) -> String {
            summary.map { format($0[keyPath: pick], decimals) } ?? "-"
        }
        print(
            pad(title, 22) + pad(value(group.rss, 0), 9) + pad(value(group.pss, 0), 9) + pad(value(group.unique, 0), 11)
                + pad(value(group.threads, 1), 9) + pad(value(group.cpuPercent, 4), 12)
                + pad(value(group.runPercent, 4), 10) + pad(value(group.wakeupsPerSecond, 2), 12)
                + value(group.voluntaryPerSecond, 2))
    }

    private func printMemoryMaps() {
        if let vaultTLSMap {
            print("\n== where the Vault-over-TLS executor's memory is (kB)")
            print(pad("", 42) + pad("Rss", 10) + "unique")
            for part in vaultTLSMap.parts { print(pad(part.name, 42) + pad("\(part.rssKB)", 10) + "\(part.uniqueKB)") }
        }
        guard let loneMap, let fleetMap else { return }
        print("\n== where an executor's memory is (kB): the lone one, and executor \(executors / 2) of the fleet")
        print(pad("", 42) + pad("lone Rss", 10) + pad("unique", 9) + pad("fleet Rss", 11) + "unique")
        var names = loneMap.parts.map(\.name)
        names += fleetMap.parts.map(\.name).filter { !names.contains($0) }
        for name in names {
            let lone = loneMap.parts.first { $0.name == name }
            let fleet = fleetMap.parts.first { $0.name == name }
            print(
                pad(name, 42) + pad("\(lone?.rssKB ?? 0)", 10) + pad("\(lone?.uniqueKB ?? 0)", 9)
                    + pad("\(fleet?.rssKB ?? 0)", 11) + "\(fleet?.uniqueKB ?? 0)")
        }
    }

    private func printLatencies() {
        print("\n== latencies (ms)")
        print(pad("", 42) + pad("count", 7) + pad("p50", 9) + pad("p90", 9) + pad("p99", 9) + "max")
        for (name, values) in latencyTable {
            guard let summary = DensitySummary(values) else {
                print(pad(name, 42) + "0")
                continue
            }
            print(
                pad(name, 42) + pad("\(summary.count)", 7) + pad(format(summary.p50, 1), 9)
                    + pad(format(summary.p90, 1), 9) + pad(format(summary.p99, 1), 9) + format(summary.max, 1))
        }
        print("fleet start: \(executors - 1) executors in \(format(fleetStartSeconds, 1)) s after the lone one")
    }

    private var latencyTable: [(String, [Double])] {
        [
            ("executor start -> SUBSCRIBE", startToSubscribed),
            ("LAUNCH -> TASK_RUNNING", launchToRunning),
            ("container exit (die) -> terminal UPDATE", exitToUpdate),
            ("kill call returned -> terminal UPDATE", killReturnToUpdate),
            ("KILL grace 0 -> container stopped (die)", killToStopped),
            ("KILL grace 0 -> terminal UPDATE", killToUpdate),
        ]
    }

    private func printSoak(_ soak: Soak) {
        print("\n== memory over the window (\(soak.samples) samples; kB per executor)")
        print(pad("t (s)", 10) + pad("mean Pss", 12) + "mean unique")
        for point in soak.series {
            print(pad(format(point.seconds, 0), 10) + pad(format(point.pss, 1), 12) + format(point.unique, 1))
        }
        let growthByPart = DensityMemoryMap.uniqueGrowth(from: firstMaps, to: lastMaps)
        if !growthByPart.isEmpty {
            print("unique memory gained over the window, by part (kB per executor):")
            for part in growthByPart {
                print("  " + pad(part.part, 40) + "mean \(format(part.mean, 1))  largest \(part.max)")
            }
        }
        let lines: [(String, DensitySummary?)] = [
            ("Pss growth (last - first)", soak.pssGrowth), ("unique growth (last - first)", soak.uniqueGrowth),
            ("Pss peak above first", soak.pssPeakAboveFirst), ("unique peak above first", soak.uniquePeakAboveFirst),
            ("Pss trend per 10 min", soak.pssTrendPer10Minutes),
            ("unique trend per 10 min", soak.uniqueTrendPer10Minutes),
        ]
        for (name, summary) in lines {
            guard let summary else { continue }
            print(
                pad(name, 32) + "mean \(format(summary.mean, 1))  min \(format(summary.min, 1))  max "
                    + format(summary.max, 1))
        }
    }

    func write(to path: String) throws {
        func group(_ group: Group) -> [String: Any] {
            var object: [String: Any] = ["name": group.name]
            let fields: [(String, DensitySummary?)] = [
                ("rssKB", group.rss), ("pssKB", group.pss), ("uniqueKB", group.unique), ("threads", group.threads),
                ("cpuPercentOfCore", group.cpuPercent), ("runPercentOfCoreLiveThreads", group.runPercent),
                ("wakeupsPerSecond", group.wakeupsPerSecond), ("voluntarySwitchesPerSecond", group.voluntaryPerSecond),
            ]
            for (key, summary) in fields { object[key] = Self.jsonOrNull(summary) }
            return object
        }
        var latencies: [String: Any] = [:]
        for (name, values) in latencyTable {
            latencies[name] = ["summary": Self.jsonOrNull(DensitySummary(values)), "samplesMs": values]
        }
        var document: [String: Any] = [
            "machine": machine, "executors": executors, "windowSeconds": windowSeconds,
            "groups": groups.map(group), "latencies": latencies, "fleetStartSeconds": fleetStartSeconds,
            "terminalStates": terminalStates, "exitStatuses": exitStatuses, "problems": problems,
            "leftoverContainers": leftoverContainers,
            "threadReadings": [
                "count": threadReadings, "above3": threadReadingsAbove3, "largest": maxThreadsSeen,
            ],
            "budget": checks.map { check -> [String: Any] in
                [
                    "name": check.name, "measured": check.measured.map { $0 as Any } ?? NSNull(), "limit": check.limit,
                    "unit": check.unit, "inclusive": check.inclusive, "met": check.met.map { $0 as Any } ?? NSNull(),
                    "note": check.note,
                ]
            },
        ]
        if let lone {
            document["loneExecutor"] = [
                "rssKB": lone.rssKB, "pssKB": lone.pssKB, "uniqueKB": lone.uniqueKB, "threads": lone.threads,
            ]
        }
        // Every reading of every executor, for questions the summaries do not answer (which executor grew, when).
        document["executorReadings"] = zip(sampleTimes, executorSamples).map { time, samples in
            [
                "seconds": time,
                "executors": samples.map {
                    [
                        "pid": $0.pid, "rssKB": $0.rssKB, "pssKB": $0.pssKB, "uniqueKB": $0.uniqueKB,
                        "threads": $0.threads,
                    ]
                },
            ] as [String: Any]
        }
        if let vaultTLS {
            document["vaultTLSExecutor"] = [
                "rssKB": vaultTLS.rssKB, "pssKB": vaultTLS.pssKB, "uniqueKB": vaultTLS.uniqueKB,
                "threads": vaultTLS.threads, "memoryMap": vaultTLSMap.map { $0.json as Any } ?? NSNull(),
            ]
        }
        if let loneMap { document["loneExecutorMemoryMap"] = loneMap.json }
        if let fleetMap { document["fleetExecutorMemoryMap"] = fleetMap.json }
        if let soak {
            document["soak"] = [
                "seconds": soak.seconds, "samples": soak.samples,
                "pssGrowthKB": Self.jsonOrNull(soak.pssGrowth), "uniqueGrowthKB": Self.jsonOrNull(soak.uniqueGrowth),
                "pssPeakAboveFirstKB": Self.jsonOrNull(soak.pssPeakAboveFirst),
                "uniquePeakAboveFirstKB": Self.jsonOrNull(soak.uniquePeakAboveFirst),
                "pssTrendKBPer10Minutes": Self.jsonOrNull(soak.pssTrendPer10Minutes),
                "uniqueTrendKBPer10Minutes": Self.jsonOrNull(soak.uniqueTrendPer10Minutes),
                "series": soak.series.map { ["seconds": $0.seconds, "meanPssKB": $0.pss, "meanUniqueKB": $0.unique] },
                "uniqueGrowthByPart": DensityMemoryMap.uniqueGrowth(from: firstMaps, to: lastMaps).map {
                    ["part": $0.part, "meanKB": $0.mean, "largestKB": $0.max] as [String: Any]
                },
            ]
        }
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    private static func jsonOrNull(_ summary: DensitySummary?) -> Any {
        summary.map { $0.json as Any } ?? NSNull()
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private func format(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }
}
