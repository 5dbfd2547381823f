import Foundation
import Glibc

/// One reading of a process's footprint from `/proc`: memory from `smaps_rollup`, threads from `status`, CPU time
/// from `stat` and, per live thread, the scheduler's exact run time and context switches.
struct DensityProcessSample: Sendable {
    var pid: Int32
    /// Resident set size (kB): every resident page mapped, shared or not.
    var rssKB: Int
    /// Proportional set size (kB): each page divided by the number of processes mapping it.
    var pssKB: Int
    /// Private_Clean + Private_Dirty (kB): pages no other process maps, what the process alone costs.
    var uniqueKB: Int
    var threads: Int
    /// utime + stime in clock ticks, dead threads included (the kernel derives it from exact run time).
    var cpuTicks: Int
    /// Sum of the live threads' run time in nanoseconds (`/proc/PID/task/*/schedstat`), finer than ticks.
    var runNanoseconds: Int
    /// Voluntary + involuntary context switches summed over the live threads: each is a wake-up or a preemption.
    var contextSwitches: Int
    /// The voluntary ones alone: a thread that went to sleep (each a wake-up to come), whatever else the machine
    /// runs; involuntary ones are preemptions, which other load adds.
    var voluntarySwitches = 0
    /// When the sample was read, for rates between two samples.
    var takenAt = ContinuousClock.now

    /// Clock ticks per second, for `cpuTicks`.
    static let ticksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))

    /// Reads `pid`; nil when the process is gone or `/proc` cannot be read.
    static func read(pid: Int32) -> DensityProcessSample? {
        guard let rollup = densityReadProcFile("/proc/\(pid)/smaps_rollup"),
            let status = densityReadProcFile("/proc/\(pid)/status"),
            let stat = densityReadProcFile("/proc/\(pid)/stat")
        else { return nil }
        let memory = fields(rollup)
        let statusFields = fields(status)
        // `comm` may contain spaces and parentheses: the fields after it start after the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
        guard rest.count > 13, let utime = Int(rest[11]), let stime = Int(rest[12]) else { return nil }
        let (run, switches, voluntary) = threadCounters(pid: pid)
        return DensityProcessSample(
            pid: pid,
            rssKB: memory["Rss"] ?? 0,
            pssKB: memory["Pss"] ?? 0,
            uniqueKB: (memory["Private_Clean"] ?? 0) + (memory["Private_Dirty"] ?? 0),
            threads: statusFields["Threads"] ?? 0,
            cpuTicks: utime + stime,
            runNanoseconds: run,
            contextSwitches: switches,
            voluntarySwitches: voluntary)
    }

    /// `Name: value [kB]` lines as integers.
    private static func fields(_ text: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].split(separator: " ", omittingEmptySubsequences: true)
            if let first = value.first.map({ $0.trimmingCharacters(in: .whitespaces) }), let number = Int(first) {
                result[String(line[..<colon])] = number
            }
        }
        return result
    }

    private static func threadCounters(pid: Int32) -> (runNanoseconds: Int, contextSwitches: Int, voluntary: Int) {
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else {
            return (0, 0, 0)
        }
        var run = 0
        var switches = 0
        var voluntary = 0
        for thread in threads {
            let base = "/proc/\(pid)/task/\(thread)"
            if let schedstat = densityReadProcFile("\(base)/schedstat"),
                let first = schedstat.split(separator: " ").first, let nanoseconds = Int(first)
            {
                run += nanoseconds
            }
            if let status = densityReadProcFile("\(base)/status") {
                let values = fields(status)
                switches += (values["voluntary_ctxt_switches"] ?? 0) + (values["nonvoluntary_ctxt_switches"] ?? 0)
                voluntary += values["voluntary_ctxt_switches"] ?? 0
            }
        }
        return (run, switches, voluntary)
    }
}

/// What one process did between two samples.
struct DensityActivity: Sendable {
    /// Share of one core, in percent, from utime + stime.
    var cpuPercent: Double
    /// The same from the live threads' exact run time (threads that ended in between are missing from it).
    var runPercent: Double
    var wakeupsPerSecond: Double
    /// Voluntary context switches per second: the wake-ups the process asked for.
    var voluntaryPerSecond: Double

    init(from first: DensityProcessSample, to last: DensityProcessSample) {
        let elapsed = (last.takenAt - first.takenAt).components
        let seconds = max(1e-9, Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
        let ticks = Double(last.cpuTicks - first.cpuTicks)
        cpuPercent = ticks / Double(DensityProcessSample.ticksPerSecond) / seconds * 100
        runPercent = Double(max(0, last.runNanoseconds - first.runNanoseconds)) / 1e9 / seconds * 100
        wakeupsPerSecond = Double(max(0, last.contextSwitches - first.contextSwitches)) / seconds
        voluntaryPerSecond = Double(max(0, last.voluntarySwitches - first.voluntarySwitches)) / seconds
    }
}

/// The whole text of a `/proc` file. Files there report size 0 and are generated as they are read, so this reads
/// until end of file rather than trusting a size (Foundation's `String(contentsOfFile:)` stops after one page).
func densityReadProcFile(_ path: String) -> String? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count >= 0 else { return nil }
        if count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
}
