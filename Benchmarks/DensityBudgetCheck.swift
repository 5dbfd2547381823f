/// One line of the budget: what was measured against what is allowed.
///
/// Memory limits are read strictly: /proc reports kB meaning KiB, and "1.0 MB" is taken as 1000 of them.
struct DensityBudgetCheck {
    var name: String
    var measured: Double?
    var limit: Double
    var unit: String
    /// `true` when the limit itself is allowed (at most), `false` for a strict "under".
    var inclusive: Bool
    var note: String

    /// nil when the figure was not measured in this run.
    var met: Bool? {
        guard let measured else { return nil }
        return inclusive ? measured <= limit : measured < limit
    }

    static func evaluate(_ results: DensityResults) -> [DensityBudgetCheck] {
        let executor = results.groups.first { $0.name == "executor" }
        let soakLong = (results.soak?.seconds ?? 0) >= 600
        let soakNote =
            soakLong
            ? "largest growth of any executor, last minus first sample"
            : "window of \(Int(results.soak?.seconds ?? 0)) s only: not the 10-minute soak"
        let growth = [results.soak?.pssGrowth?.max, results.soak?.uniqueGrowth?.max].compactMap { $0 }.max()
        // The benchmark sets a 1 s poll; DENSITY_EXECUTOR_ENV may set another.
        let pollInterval =
            (results.machine["executorEnvironment"] as? String ?? "").split(separator: " ")
            .first { $0.hasPrefix("EXECUTOR_SIDECAR_POLL_INTERVAL=") }?.split(separator: "=").last.map(String.init)
            ?? "1s"
        return [
            DensityBudgetCheck(
                name: "Pss per executor", measured: executor?.pss?.mean, limit: 1000, unit: "kB", inclusive: true,
                note: "mean over \(results.executors) executors"),
            DensityBudgetCheck(
                name: "unique per executor", measured: executor?.unique?.mean, limit: 800, unit: "kB",
                inclusive: true, note: "mean, Private_Clean + Private_Dirty"),
            DensityBudgetCheck(
                name: "Rss of a lone executor", measured: results.lone.map { Double($0.rssKB) }, limit: 6000,
                unit: "kB", inclusive: true, note: "executor 0, healthy, before the others started"),
            DensityBudgetCheck(
                name: "threads per executor",
                measured: results.threadReadings > 0 ? Double(results.maxThreadsSeen) : nil,
                limit: 3, unit: "", inclusive: true,
                note: "largest of \(results.threadReadings) readings; \(results.threadReadingsAbove3) above 3"),
            DensityBudgetCheck(
                name: "idle CPU per executor", measured: executor?.cpuPercent?.mean, limit: 0.05, unit: "% core",
                inclusive: false, note: "mean over the window, polling Sidecar every \(pollInterval)"),
            DensityBudgetCheck(
                name: "exit -> terminal UPDATE p99", measured: DensitySummary(results.exitToUpdate)?.p99, limit: 20,
                unit: "ms", inclusive: false, note: "from the engine's die timeNano"),
            DensityBudgetCheck(
                name: "memory growth per executor", measured: growth, limit: 64, unit: "kB", inclusive: true,
                note: soakNote),
        ]
    }
}
