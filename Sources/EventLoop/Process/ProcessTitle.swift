/// The process's title as `ps` and `/proc/PID/cmdline` show it, set by rewriting the argument area the kernel
/// laid out at exec (argv[0] through the last argument, contiguous), as the original Go executor did. The title is
/// cut to that area less its final NUL, and the rest of the area is zeroed: the final NUL stays, so the kernel keeps
/// reading the area as the argument list (it would otherwise look past it into the environment). The Swift runtime
/// copied the arguments into `CommandLine.arguments` at start-up, so nothing reads the old text afterwards.
public enum ProcessTitle {
    /// Rewrites this process's argument area with `title`. Returns the title as written (possibly cut).
    @discardableResult
    public static func set(_ title: String) -> String {
        let argv = CommandLine.unsafeArgv
        guard CommandLine.argc > 0, let first = argv[0] else { return "" }
        var end = first + length(first) + 1
        for index in 1..<Int(CommandLine.argc) {
            guard let argument = argv[index], argument == end else { break }
            end = argument + length(argument) + 1
        }
        let area = UnsafeMutableBufferPointer(start: first, count: end - first)
        return rewrite(area, with: title)
    }

    /// Writes `title` into `area` (NUL-terminated, cut on a character boundary to fit before the area's last
    /// byte) and zeroes the rest. Returns what was written.
    public static func rewrite(_ area: UnsafeMutableBufferPointer<CChar>, with title: String) -> String {
        guard !area.isEmpty else { return "" }
        var written = ""
        var bytes: [UInt8] = []
        for character in title {
            let next = Array(String(character).utf8)
            guard bytes.count + next.count <= area.count - 1 else { break }
            bytes += next
            written.append(character)
        }
        for index in area.indices {
            area[index] = index < bytes.count ? CChar(bitPattern: bytes[index]) : 0
        }
        return written
    }

    private static func length(_ string: UnsafeMutablePointer<CChar>) -> Int {
        var count = 0
        while string[count] != 0 { count += 1 }
        return count
    }
}
