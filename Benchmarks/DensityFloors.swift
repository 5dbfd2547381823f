import Foundation
import Glibc

/// The two floors the executor is compared with, each run as N copies of one binary: a minimal C process
/// (`int main(){pause();}`) and a minimal Swift process with Dispatch and the static standard library
/// (`import Dispatch; dispatchMain()`).
final class DensityFloors: @unchecked Sendable {
    struct Floor {
        var name: String
        var binary: String
        var processes: [DensitySpawnedProcess] = []
    }

    private(set) var floors: [Floor]

    /// Compiles both floors into `directory` (gcc -O2, swiftc -O -static-stdlib).
    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let cSource = "\(directory)/floor.c"
        let swiftSource = "\(directory)/floor.swift"
        try "int main(void) { pause(); return 0; }\n".write(toFile: cSource, atomically: true, encoding: .utf8)
        try "import Dispatch\ndispatchMain()\n".write(toFile: swiftSource, atomically: true, encoding: .utf8)
        let cBinary = "\(directory)/floor-c"
        let swiftBinary = "\(directory)/floor-swift"
        try Self.run("/usr/bin/gcc", ["-O2", "-include", "unistd.h", "-o", cBinary, cSource])
        try Self.run(Self.swiftc(), ["-O", "-static-stdlib", "-o", swiftBinary, swiftSource])
        floors = [Floor(name: "C pause()", binary: cBinary), Floor(name: "Swift dispatchMain()", binary: swiftBinary)]
    }

    /// Starts `count` copies of each floor.
    func start(count: Int) throws {
        for index in floors.indices {
            for _ in 0..<count {
                // Not Foundation's Process: see DensitySpawnedProcess.
                let process = try DensitySpawnedProcess(
                    command: [floors[index].binary], environment: [:], directory: "/", stdout: "/dev/null",
                    stderr: "/dev/null")
                floors[index].processes.append(process)
            }
        }
    }

    /// SIGKILL and reap every copy.
    func stop() {
        for floor in floors {
            for process in floor.processes where process.isRunning {
                kill(process.processIdentifier, SIGKILL)
            }
            for process in floor.processes { process.waitUntilExit() }
        }
    }

    private static func swiftc() -> String {
        let candidates = ["/opt/swift/usr/bin/swiftc", "/usr/bin/swiftc"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "swiftc"
    }

    /// Runs a build command, failing with its output when it fails.
    static func run(_ executable: String, _ arguments: [String], directory: String? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DensityFailure("\(executable) \(arguments.joined(separator: " ")) failed:\n\(text)")
        }
    }
}
