import EventLoop

/// Resource limits: memory, CPU, PIDs, block I/O and ulimits.
extension DockerRunOptions {
    static let int64Range: ClosedRange<Int64> = Int64.min...Int64.max

    static let resourceOptions: [String: Apply] = [
        "memory": hostBytes("Memory"),
        "memory-reservation": hostBytes("MemoryReservation"),
        "kernel-memory": hostBytes("KernelMemory"),
        "shm-size": hostBytes("ShmSize"),
        "memory-swap": { options, value, field throws(TaskInfoError) in
            // -1: unlimited swap.
            options.host["MemorySwap"] = .int(value == "-1" ? -1 : try DockerRunOptionValue.bytes(value, field: field))
        },
        "memory-swappiness": hostInteger("MemorySwappiness", -1...100),
        "oom-kill-disable": hostFlag("OomKillDisable"),
        "oom-score-adj": hostInteger("OomScoreAdj", -1000...1000),
        "cpu-shares": hostInteger("CpuShares", 0...Int64.max),
        "cpu-period": hostInteger("CpuPeriod", 0...Int64.max),
        "cpu-quota": hostInteger("CpuQuota", -1...Int64.max),
        "cpu-rt-period": hostInteger("CPURealtimePeriod", 0...Int64.max),
        "cpu-rt-runtime": hostInteger("CPURealtimeRuntime", -1...Int64.max),
        "cpus": { options, value, field throws(TaskInfoError) in
            options.host["NanoCpus"] = .int(try nanoCPUs(value, field: field))
        },
        "cpuset-cpus": hostString("CpusetCpus", DockerRunOptionValue.cpuset),
        "cpuset-mems": hostString("CpusetMems", DockerRunOptionValue.cpuset),
        "pids-limit": hostInteger("PidsLimit", int64Range),
        "blkio-weight": { options, value, field throws(TaskInfoError) in
            let weight = try DockerRunOptionValue.integer(value, in: 0...1000, field: field)
            guard weight == 0 || weight >= 10 else {
                throw .invalid(field: field, reason: "is \(weight); expected 0 (unset) or 10 to 1000")
            }
            options.host["BlkioWeight"] = .int(weight)
        },
        "blkio-weight-device": { options, value, field throws(TaskInfoError) in
            let (path, weight) = try devicePair(value, field: field) { text, field throws(TaskInfoError) in
                try DockerRunOptionValue.integer(text, in: 10...1000, field: field)
            }
            options.appendHost("BlkioWeightDevice", ["Path": .string(path), "Weight": .int(weight)])
        },
        "device-read-bps": deviceRate("BlkioDeviceReadBps", DockerRunOptionValue.bytes),
        "device-write-bps": deviceRate("BlkioDeviceWriteBps", DockerRunOptionValue.bytes),
        "device-read-iops": deviceRate("BlkioDeviceReadIOps") { text, field throws(TaskInfoError) in
            try DockerRunOptionValue.integer(text, in: 0...Int64.max, field: field)
        },
        "device-write-iops": deviceRate("BlkioDeviceWriteIOps") { text, field throws(TaskInfoError) in
            try DockerRunOptionValue.integer(text, in: 0...Int64.max, field: field)
        },
        "ulimit": { options, value, field throws(TaskInfoError) in
            options.appendHost("Ulimits", try ulimit(value, field: field))
        },
    ]

    /// `--cpus=1.5`: NanoCpus, exact to the nanosecond as the CLI insists ("too precise" otherwise).
    static func nanoCPUs(_ text: String, field: String) throws(TaskInfoError) -> Int64 {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let whole = parts.first ?? ""
        let fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count <= 2, !(whole.isEmpty && fraction.isEmpty),
            whole.allSatisfy({ $0.isASCII && $0.isNumber }), fraction.allSatisfy({ $0.isASCII && $0.isNumber }),
            fraction.count <= 9, let units = Int64(whole.isEmpty ? "0" : whole), units < 9_000_000_000
        else {
            throw .invalid(field: field, reason: "is '\(text)'; expected a number of CPUs such as 1.5")
        }
        let nanos = Int64(fraction + String(repeating: "0", count: 9 - fraction.count)) ?? 0
        return units * 1_000_000_000 + nanos
    }

    /// `name=soft[:hard]`, the CLI's ulimit syntax; hard defaults to soft and may not be below it.
    static func ulimit(_ text: String, field: String) throws(TaskInfoError) -> JSONValue {
        let (name, limits) = try DockerRunOptionValue.keyValue(text, field: field, what: "a ulimit")
        guard ulimitNames.contains(name) else {
            throw .invalid(
                field: field, reason: "names '\(name)'; expected one of \(ulimitNames.sorted().joined(separator: ", "))"
            )
        }
        let numbers = limits.split(separator: ":", omittingEmptySubsequences: false).map { Int64($0) }
        guard (1...2).contains(numbers.count), let soft = numbers[0], let hard = numbers.count == 2 ? numbers[1] : soft
        else {
            throw .invalid(field: field, reason: "is '\(text)'; expected name=soft[:hard] with integer limits")
        }
        guard soft <= hard || hard == -1 else {
            throw .invalid(field: field, reason: "is '\(text)'; the soft limit is above the hard limit")
        }
        return ["Name": .string(name), "Soft": .int(soft), "Hard": .int(hard)]
    }

    /// The resource names `ulimit` accepts (Docker's list).
    static let ulimitNames: Set<String> = [
        "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio",
        "rttime", "sigpending", "stack",
    ]

    /// `/dev/sda:<value>`: a device path and a number.
    static func devicePair(
        _ text: String, field: String, _ number: (String, String) throws(TaskInfoError) -> Int64
    ) throws(TaskInfoError) -> (String, Int64) {
        guard let colon = text.lastIndex(of: ":") else {
            throw .invalid(field: field, reason: "is '\(text)'; expected <device path>:<value>")
        }
        let path = try DockerRunOptionValue.absolutePath(String(text[..<colon]), field: field)
        return (path, try number(String(text[text.index(after: colon)...]), field))
    }

    static func deviceRate(
        _ key: String, _ number: @escaping @Sendable (String, String) throws(TaskInfoError) -> Int64
    ) -> Apply {
        { options, value, field throws(TaskInfoError) in
            let (path, rate) = try devicePair(value, field: field, number)
            options.appendHost(key, ["Path": .string(path), "Rate": .int(rate)])
        }
    }
}
