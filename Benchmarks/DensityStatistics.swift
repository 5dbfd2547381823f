/// Summary of a set of measurements: count, mean, min, nearest-rank percentiles and max.
struct DensitySummary: Sendable {
    var count: Int
    var mean: Double
    var min: Double
    var p50: Double
    var p90: Double
    var p99: Double
    var max: Double

    /// nil for an empty set: a figure that was not measured must not read as zero.
    init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        count = sorted.count
        mean = sorted.reduce(0, +) / Double(sorted.count)
        min = sorted[0]
        max = sorted[sorted.count - 1]
        // Nearest rank: the smallest value with at least p% of the set at or below it, so p99 of 50 samples is the
        // largest one rather than an interpolation between samples that never happened.
        func rank(_ percent: Double) -> Double {
            let index = Int((percent / 100 * Double(sorted.count)).rounded(.up)) - 1
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, index))]
        }
        p50 = rank(50)
        p90 = rank(90)
        p99 = rank(99)
    }

    var json: [String: Any] {
        ["count": count, "mean": mean, "min": min, "p50": p50, "p90": p90, "p99": p99, "max": max]
    }
}

/// Least-squares slope of `values` against `times` (units of value per unit of time); nil with fewer than two
/// distinct times.
func densitySlope(times: [Double], values: [Double]) -> Double? {
    guard times.count == values.count, times.count >= 2 else { return nil }
    let n = Double(times.count)
    let meanT = times.reduce(0, +) / n
    let meanV = values.reduce(0, +) / n
    var numerator = 0.0
    var denominator = 0.0
    for (t, v) in zip(times, values) {
        numerator += (t - meanT) * (v - meanV)
        denominator += (t - meanT) * (t - meanT)
    }
    return denominator > 0 ? numerator / denominator : nil
}
