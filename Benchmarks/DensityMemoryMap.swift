import Foundation

/// Where a process's memory is, from `/proc/PID/smaps`: Rss and unique (Private_Clean + Private_Dirty) per kind
/// of mapping, so that the report can say what an executor's figures are made of.
struct DensityMemoryMap: Sendable {
    struct Part: Sendable {
        var name: String
        var rssKB = 0
        var uniqueKB = 0
    }

    var pid: Int32 = 0
    var parts: [Part]

    /// Reads `pid`'s mappings; `executable` is the binary's file name, to tell its own text and data apart.
    static func read(pid: Int32, executable: String) -> DensityMemoryMap? {
        guard let text = densityReadProcFile("/proc/\(pid)/smaps") else { return nil }
        var totals: [String: Part] = [:]
        var current = "other"
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.contains("-") && fields.count >= 5 && !first.hasSuffix(":") {
                let path = fields.count >= 6 ? String(fields[5]) : ""
                let bounds = first.split(separator: "-").compactMap { UInt64($0, radix: 16) }
                let size = bounds.count == 2 ? bounds[1] &- bounds[0] : 0
                current = category(path: path, permissions: String(fields[1]), size: size, executable: executable)
                continue
            }
            guard fields.count >= 2, let value = Int(fields[1]) else { continue }
            switch first {
            case "Rss:": totals[current, default: Part(name: current)].rssKB += value
            case "Private_Clean:", "Private_Dirty:": totals[current, default: Part(name: current)].uniqueKB += value
            default: break
            }
        }
        return DensityMemoryMap(pid: pid, parts: totals.values.sorted { $0.rssKB > $1.rssKB })
    }

    private static func category(path: String, permissions: String, size: UInt64, executable: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        if file == executable {
            if permissions.contains("x") { return "executable: code" }
            return permissions.contains("w") ? "executable: data" : "executable: read-only data"
        }
        if file.hasPrefix("libc.so") || file.hasPrefix("libc-") { return "libc" }
        if file.hasPrefix("libm.so") || file.hasPrefix("libm-") { return "libm" }
        if file.hasPrefix("ld-linux") { return "dynamic loader" }
        if path == "[heap]" { return "heap (brk)" }
        if path == "[stack]" { return "main thread stack" }
        if path.hasPrefix("[") { return "kernel (\(path))" }
        // Thread stacks are the 8 MB anonymous mappings (glibc's default stack size); the rest is bss and small maps.
        if path.isEmpty { return size >= 4 << 20 ? "thread stacks" : "anonymous (bss, small maps)" }
        return "other files (\(file))"
    }

    var json: [[String: Any]] {
        parts.map { ["part": $0.name, "rssKB": $0.rssKB, "uniqueKB": $0.uniqueKB] }
    }

    /// Unique memory gained per part between two readings of the same processes (kB): the mean and the largest
    /// gain over the processes, for every part that changed in any of them.
    static func uniqueGrowth(from first: [DensityMemoryMap], to last: [DensityMemoryMap]) -> [(
        part: String, mean: Double, max: Int
    )] {
        let before = Dictionary(first.map { ($0.pid, $0) }, uniquingKeysWith: { a, _ in a })
        var gains: [String: [Int]] = [:]
        var pairs = 0
        for end in last {
            guard let start = before[end.pid] else { continue }
            pairs += 1
            let names = Set(start.parts.map(\.name) + end.parts.map(\.name))
            for name in names {
                let was = start.parts.first { $0.name == name }?.uniqueKB ?? 0
                let now = end.parts.first { $0.name == name }?.uniqueKB ?? 0
                gains[name, default: []].append(now - was)
            }
        }
        return gains.filter { $0.value.contains { $0 != 0 } }
            .map {
                (part: $0.key, mean: Double($0.value.reduce(0, +)) / Double(max(1, pairs)), max: $0.value.max() ?? 0)
            }
            .sorted { $0.mean > $1.mean }
    }
}
