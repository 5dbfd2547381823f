import Foundation

@testable import Executor

/// The release build of the executor, the binary `executor.sh` deploys: process tests of the output path run it,
/// not the debug build beside the test bundle.
enum ReleaseExecutor {
    static var path: String { ProgramUnderTest.releaseBinaryPath }

    /// The release binary's URL, or the reason it cannot be tested.
    static func require() throws -> URL {
        URL(fileURLWithPath: try ProgramUnderTest.binary())
    }

    /// The resident set of a running process in kB (VmRSS of /proc/PID/status), or nil once it is gone.
    static func residentKilobytes(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
    }
}
