import Foundation

/// The built `sidecar-executor` binary and the repository's `executor.sh`, for tests that run the program the way an
/// agent or an operator does.
enum ProgramUnderTest {
    /// The repository root (this file is Tests/ExecutorTests/Support/ProgramUnderTest.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var executorScript: String { repositoryRoot.appendingPathComponent("executor.sh").path }

    /// The release binary, `.build/release/sidecar-executor`: the one `executor.sh` deploys and `scripts/test.sh`
    /// builds. It sits in the `release` directory beside the test bundle's configuration directory, so a sanitizer
    /// run (its own scratch path) runs the release binary it built with the sanitizer (scripts/sanitizers.sh).
    ///
    /// Suites that run it carry `.requires(.releaseBinary)`; `TestPeer.releaseBinary.require()` fails them with the
    /// reason when the test command requires it and it is missing.
    static func binary() throws -> String {
        try TestPeer.releaseBinary.require()
        return releaseBinaryPath
    }

    static let releaseBinaryPath: String = {
        let bundle =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        // <scratch>/<triple>/debug/sidecar-executorPackageTests.xctest -> <scratch>/<triple>/release/sidecar-executor
        return URL(fileURLWithPath: bundle).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("release").appendingPathComponent("sidecar-executor").path
    }()

    /// Why the release binary cannot be tested, or nil. Missing, or (unless the test command requires it, having just
    /// built it) older than a source file it is built from: a bare `swift test` after an edit would otherwise test
    /// the binary of the code before the edit.
    static func releaseBinaryProblem() -> String? {
        let path = releaseBinaryPath
        let build = "swift build -c release --product sidecar-executor"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            return "no release binary at \(path): build it with `\(build)`"
        }
        guard !TestPeer.isRequiredByEnvironment("RELEASE_BINARY") else { return nil }
        let built = modificationDate(path) ?? .distantPast
        for directory in ["Sources/EventLoop", "Sources/Executor"] {
            let root = repositoryRoot.appendingPathComponent(directory)
            let files = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.contentModificationDateKey])
            while let file = files?.nextObject() as? URL {
                if let changed = modificationDate(file.path), changed > built {
                    let source = file.path.replacingOccurrences(of: repositoryRoot.path + "/", with: "")
                    return "the release binary at \(path) is older than \(source): "
                        + "rebuild it with `\(build)`"
                }
            }
        }
        return nil
    }

    private static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
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

    /// What scripts/sanitizers.sh sets for the run. A binary built with a sanitizer reads them; without them it
    /// would run with the sanitizer's defaults (leak detection on, which that script turns off and says why), print
    /// its report and exit with a failure status. `run` passes them on whatever environment a test gives.
    static let sanitizerOptions = ProcessInfo.processInfo.environment.filter { sanitizerVariables.contains($0.key) }

    /// The variables a sanitizer-built binary reads its options from.
    static let sanitizerVariables = ["ASAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"]

    /// Whether this is a run of scripts/sanitizers.sh (it sets ASAN_OPTIONS or TSAN_OPTIONS): the binary under test
    /// then carries the sanitizer's runtime, with threads and a malloc of its own.
    static let isSanitizerRun = ["ASAN_OPTIONS", "TSAN_OPTIONS"].contains {
        ProcessInfo.processInfo.environment[$0] != nil
    }

    /// Runs a command to completion with exactly `environment` (nothing inherited but a sanitizer run's options),
    /// capturing both streams.
    static func run(_ command: [String], environment: [String: String], timeout: Double = 60) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = environment.merging(sanitizerOptions) { given, _ in given }
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
