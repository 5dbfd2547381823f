/// Timing helpers shared by the benchmarks: the best of several repetitions, so a noisy neighbour on a 2-core
/// machine inflates one sample rather than the figure.
enum BenchmarkClock {
    /// Runs `body` `repetitions` times and returns the fastest run in seconds.
    static func best(repetitions: Int = 5, _ body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<repetitions {
            let start = ContinuousClock.now
            body()
            let elapsed = ContinuousClock.now - start
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        return best
    }

    /// Megabytes (10^6 bytes) per second.
    static func megabytesPerSecond(bytes: Int, seconds: Double) -> Double {
        Double(bytes) / seconds / 1_000_000
    }

    static func format(_ value: Double, decimals: Int = 1) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64(value * scale + 0.5)
        let whole = scaled / Int64(scale)
        let fraction = String(scaled % Int64(scale))
        guard decimals > 0 else { return String(whole) }
        return "\(whole).\(String(repeating: "0", count: decimals - fraction.count))\(fraction)"
    }
}
