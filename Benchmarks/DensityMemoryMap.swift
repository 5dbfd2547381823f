import Foundation

/// Where a process's memory is, from `/proc/PID/smaps`: Rss and unique (Private_Clean + Private_Dirty) per kind
/// of mapping, so that the report can say what an executor's figures are made of.
struct DensityMemoryMap: Sendable {
    struct Part: Sendable {
        var name: String
        var rssKB = 0
        var uniqueKB = 0
    }

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
                current = category(path: path, permissions: String(fields[1]), executable: executable)
                continue
            }
            guard fields.count >= 2, let value = Int(fields[1]) else { continue }
            switch first {
            case "Rss:": totals[current, default: Part(name: current)].rssKB += value
            case "Private_Clean:", "Private_Dirty:": totals[current, default: Part(name: current)].uniqueKB += value
            default: break
            }
        }
        return DensityMemoryMap(parts: totals.values.sorted { $0.rssKB > $1.rssKB })
    }

    private static func category(path: String, permissions: String, executable: String) -> String {
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
        if path.isEmpty { return "anonymous (thread stacks, bss, mmap)" }
        return "other files (\(file))"
    }

    var json: [[String: Any]] {
        parts.map { ["part": $0.name, "rssKB": $0.rssKB, "uniqueKB": $0.uniqueKB] }
    }
}
