import Foundation

/// The built `sidecar-executor` binary and the repository's `executor.sh`, for tests that run the program the way an
/// agent or an operator does.
enum ProgramUnderTest {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// The repository root (this file is Tests/ExecutorTests/Support/ProgramUnderTest.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var executorScript: String { repositoryRoot.appendingPathComponent("executor.sh").path }

    /// The binary built beside the test bundle (`swift build --build-tests` builds both).
    static func binary() throws -> String {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("sidecar-executor").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw Missing(description: "no sidecar-executor binary beside \(directory.path): run `swift build` first")
    }

    /// A fresh directory under `base` (default: the system's temporary directory), removed by the caller.
    static func temporaryDirectory(under base: String = NSTemporaryDirectory()) throws -> String {
        let path = (base as NSString).appendingPathComponent("sidecar-executor-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var processIdentifier: Int32
    }

    /// Runs a command to completion with exactly `environment` (nothing inherited), capturing both streams.
    static func run(_ command: [String], environment: [String: String], timeout: Double = 60) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain both pipes while waiting, so a chatty child cannot block on a full pipe.
        let group = DispatchGroup()
        let stdout = CapturedData()
        let stderr = CapturedData()
        DispatchQueue.global().async(group: group) { stdout.data = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { stderr.data = err.fileHandleForReading.readDataToEndOfFile() }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        group.wait()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: stdout.data, as: UTF8.self),
            stderr: String(decoding: stderr.data, as: UTF8.self), processIdentifier: process.processIdentifier)
    }
}

/// One reader thread writes it, then `DispatchGroup.wait` orders that write before the caller's read.
private final class CapturedData: @unchecked Sendable {
    var data = Data()
}
