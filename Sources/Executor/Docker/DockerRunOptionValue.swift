import EventLoop

/// The value syntaxes of `docker run` options, as the Docker CLI parses them, each failing with a message that
/// names the parameter's field: the CLI would refuse the value, so the task cannot run as the framework meant.
enum DockerRunOptionValue {
    /// A size: a decimal number with an optional unit `b`, `k`, `m`, `g`, `t` or `p` (powers of 1024, optional
    /// trailing `b`/`ib`, any case), e.g. `512m`, `1.5g`, `1024`; the CLI's `RAMInBytes`.
    static func bytes(_ text: String, field: String) throws(TaskInfoError) -> Int64 {
        let lowered = text.lowercased().trimmingBlanks()
        var digits = Substring(lowered)
        for suffix in ["ib", "b"] where digits.hasSuffix(suffix) && digits.count > suffix.count {
            digits = digits.dropLast(suffix.count)
            break
        }
        let units: [Character: Double] = ["k": 1024, "m": 1_048_576, "g": 1_073_741_824, "t": 1_099_511_627_776]
        var factor = 1.0
        if let last = digits.last, let unit = units[last] ?? (last == "p" ? 1_125_899_906_842_624 : nil) {
            factor = unit
            digits = digits.dropLast()
        }
        digits = Substring(digits.trimmingBlanks())
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCIIDigitOrDot }), digits.first != ".",
            let number = Double(digits)
        else {
            throw .invalid(field: field, reason: "is '\(text)'; expected a size such as 512m or 1g")
        }
        let scaled = (number * factor).rounded(.down)
        guard scaled < 9_223_372_036_854_775_808.0 else { throw .invalid(field: field, reason: "is too large") }
        return Int64(scaled)
    }

    /// An integer in `range`.
    static func integer(_ text: String, in range: ClosedRange<Int64>, field: String) throws(TaskInfoError) -> Int64 {
        guard let value = Int64(text.trimmingBlanks()) else {
            throw .invalid(field: field, reason: "is '\(text)'; expected an integer")
        }
        guard range.contains(value) else {
            throw .invalid(
                field: field, reason: "is \(value); expected \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// Go's `strconv.ParseBool` spellings (an empty value is a bare flag: true).
    static func flag(_ text: String, field: String) throws(TaskInfoError) -> Bool {
        if text.isEmpty { return true }
        guard let value = SidecarDiscovery.parseGoBool(text) else {
            throw .invalid(field: field, reason: "is '\(text)'; expected true or false")
        }
        return value
    }

    /// `key=value`, split at the first `=`; the key may not be empty.
    static func keyValue(_ text: String, field: String, what: String) throws(TaskInfoError) -> (String, String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw .invalid(field: field, reason: "is '\(text)'; \(what) must be key=value")
        }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// A CPU or memory-node list: `0-3,5`.
    static func cpuset(_ text: String, field: String) throws(TaskInfoError) -> String {
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        for item in items {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            let numbers = bounds.compactMap { Int($0) }
            guard !item.isEmpty, bounds.count <= 2, numbers.count == bounds.count,
                bounds.allSatisfy({ $0.allSatisfy(\.isASCIIDigitOrDot) && !$0.contains(".") }),
                numbers.count == 1 || numbers[0] <= numbers[1]
            else {
                throw .invalid(field: field, reason: "is '\(text)'; expected a list such as 0-3,5")
            }
        }
        return text
    }

    /// An IPv4 or IPv6 address.
    static func ipAddress(_ text: String, field: String) throws(TaskInfoError) -> String {
        guard Posix.parseIPv4(text) != nil || Posix.parseIPv6(text) != nil else {
            throw .invalid(field: field, reason: "is '\(text)'; expected an IP address")
        }
        return text
    }

    /// A DNS search domain (`.` alone clears the list): labels of letters, digits and `-`, at most 255 bytes.
    static func searchDomain(_ text: String, field: String) throws(TaskInfoError) -> String {
        if text == "." { return text }
        let name = text.hasSuffix(".") ? String(text.dropLast()) : text
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            !name.isEmpty && name.utf8.count <= 255
            && labels.allSatisfy { label in
                !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
        guard valid else { throw .invalid(field: field, reason: "is '\(text)'; expected a DNS domain") }
        return text
    }

    /// A MAC address: six colon-separated hex bytes.
    static func macAddress(_ text: String, field: String) throws(TaskInfoError) -> String {
        let bytes = text.split(separator: ":", omittingEmptySubsequences: false)
        guard bytes.count == 6, bytes.allSatisfy({ $0.count == 2 && UInt8($0, radix: 16) != nil }) else {
            throw .invalid(field: field, reason: "is '\(text)'; expected a MAC address such as 02:42:ac:11:00:02")
        }
        return text
    }

    /// A signal: a name (`SIGTERM`, `TERM`, any case) or a number from 1 to 64.
    static func signal(_ text: String, field: String) throws(TaskInfoError) -> String {
        let names: Set<String> = [
            "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE",
            "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU",
            "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
        ]
        let upper = text.uppercased()
        let name = upper.hasPrefix("SIG") ? String(upper.dropFirst(3)) : upper
        let realtime = name.hasPrefix("RTMIN") || name.hasPrefix("RTMAX")
        if let number = Int(text), (1...64).contains(number) { return text }
        guard names.contains(name) || realtime else {
            throw .invalid(field: field, reason: "is '\(text)'; expected a signal such as SIGTERM or 15")
        }
        return text
    }

    /// An absolute path without NUL bytes.
    static func absolutePath(_ text: String, field: String) throws(TaskInfoError) -> String {
        guard text.hasPrefix("/"), !text.contains("\0") else {
            throw .invalid(field: field, reason: "is '\(text)'; expected an absolute path")
        }
        return text
    }

    /// One of `choices`, or `container:<name or id>` when `containerAllowed`.
    static func mode(
        _ text: String, choices: Set<String>, containerAllowed: Bool, field: String
    ) throws(TaskInfoError) -> String {
        if choices.contains(text) { return text }
        if containerAllowed, text.hasPrefix("container:"), text.count > "container:".count { return text }
        let expected = choices.sorted().map { $0.isEmpty ? "''" : $0 }.joined(separator: ", ")
        throw .invalid(
            field: field,
            reason: "is '\(text)'; expected \(expected)\(containerAllowed ? " or container:<name|id>" : "")")
    }
}

extension Character {
    fileprivate var isASCIIDigitOrDot: Bool { ("0"..."9").contains(self) || self == "." }
}
