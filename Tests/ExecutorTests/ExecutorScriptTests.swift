import Foundation
import Simulators
import Testing

/// `executor.sh`, the command operators register as the executor: environment file, binary placement, exec.
@Suite(.serialized) struct ExecutorScriptTests {
    /// A stand-in for the executor binary that reports what it sees: its pid, a setting, its arguments, its path.
    static let fakeExecutor = """
        #!/bin/sh
        echo "pid=$$"
        echo "setting=${EXECUTOR_FROM_SITE_FILE:-unset}"
        echo "args=$*"
        echo "path=$0"
        """

    struct Layout {
        var root: String
        var binary: String
        var sandbox: String
    }

    /// A binary under `binaryBase` and a sandbox under `sandboxBase`.
    func makeLayout(binaryBase: String = NSTemporaryDirectory(), sandboxBase: String = NSTemporaryDirectory()) throws
        -> Layout
    {
        let root = try ProgramUnderTest.temporaryDirectory(under: binaryBase)
        let binary = "\(root)/sidecar-executor"
        try Self.fakeExecutor.write(toFile: binary, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary)
        let sandbox = try ProgramUnderTest.temporaryDirectory(under: sandboxBase)
        return Layout(root: root, binary: binary, sandbox: sandbox)
    }

    func runScript(_ layout: Layout, extra: [String: String] = [:], arguments: [String] = []) throws
        -> ProgramUnderTest.Outcome
    {
        var environment = [
            "PATH": "/usr/bin:/bin", "SIDECAR_EXECUTOR_PATH": layout.binary, "MESOS_SANDBOX": layout.sandbox,
            "SIDECAR_EXECUTOR_CUSTOM_ENV_PATH": "\(layout.root)/absent-environment.sh",
        ]
        environment.merge(extra) { $1 }
        // Run as the agent runs it: through its `#!/bin/bash` line.
        return try ProgramUnderTest.run([ProgramUnderTest.executorScript] + arguments, environment: environment)
    }

    func inode(_ path: String) throws -> (inode: UInt64, links: Int, device: Int) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (
            (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0,
            (attributes[.referenceCount] as? NSNumber)?.intValue ?? 0,
            (attributes[.systemNumber] as? NSNumber)?.intValue ?? 0
        )
    }

    @Test func scriptHasValidSyntax() throws {
        let outcome = try ProgramUnderTest.run(["/bin/bash", "-n", ProgramUnderTest.executorScript], environment: [:])
        #expect(outcome.status == 0, "bash -n: \(outcome.stderr)")
        let script = try String(contentsOfFile: ProgramUnderTest.executorScript, encoding: .utf8)
        #expect(script.hasPrefix("#!/bin/bash\n"), "bash, as the original wrapper: site files may use bash syntax")
    }

    @Test func scriptPassesShellcheckWhenAvailable() throws {
        guard
            let shellcheck = ["/usr/bin/shellcheck", "/usr/local/bin/shellcheck"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            print(
                "shellcheck is not installed here; scripts/test.sh installs it from apt — only the syntax was checked")
            return
        }
        let outcome = try ProgramUnderTest.run([shellcheck, ProgramUnderTest.executorScript], environment: [:])
        #expect(outcome.status == 0, "shellcheck: \(outcome.stdout)")
    }

    @Test func hardLinksTheBinaryIntoASandboxOnTheSameFilesystem() throws {
        let layout = try makeLayout()
        defer { try? FileManager.default.removeItem(atPath: layout.root) }
        defer { try? FileManager.default.removeItem(atPath: layout.sandbox) }
        let outcome = try runScript(layout)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let placed = "\(layout.sandbox)/sidecar-executor"
        #expect(outcome.stdout.contains("path=\(placed)"), "the sandbox's copy runs, not the original")
        let original = try inode(layout.binary)
        let linked = try inode(placed)
        #expect(original.inode == linked.inode && linked.links == 2, "one file, two names")
        #expect(outcome.stdout.contains("linked"))
    }

    @Test func copiesTheBinaryWhenTheSandboxIsOnAnotherFilesystem() throws {
        let tmpDevice = try inode(NSTemporaryDirectory()).device
        guard FileManager.default.fileExists(atPath: "/dev/shm"), try inode("/dev/shm").device != tmpDevice else {
            print("no second filesystem (/dev/shm) here: the copy path could not be exercised")
            return
        }
        let layout = try makeLayout(sandboxBase: "/dev/shm")
        defer { try? FileManager.default.removeItem(atPath: layout.root) }
        defer { try? FileManager.default.removeItem(atPath: layout.sandbox) }
        let outcome = try runScript(layout)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let placed = "\(layout.sandbox)/sidecar-executor"
        #expect(try inode(placed).inode != inode(layout.binary).inode)
        #expect(FileManager.default.isExecutableFile(atPath: placed))
        #expect(outcome.stdout.contains("copied") && outcome.stdout.contains("path=\(placed)"))
    }

    @Test func execsTheBinarySoNoShellStaysBehind() throws {
        let layout = try makeLayout()
        defer { try? FileManager.default.removeItem(atPath: layout.root) }
        defer { try? FileManager.default.removeItem(atPath: layout.sandbox) }
        let outcome = try runScript(layout, arguments: ["-logtostderr=true", "x y"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        // exec keeps the process: the binary runs with the pid of the shell that ran executor.sh.
        #expect(outcome.stdout.contains("pid=\(outcome.processIdentifier)\n"))
        #expect(outcome.stdout.contains("args=-logtostderr=true x y"))
    }

    @Test func sourcesTheSiteEnvironmentFile() throws {
        let layout = try makeLayout()
        defer { try? FileManager.default.removeItem(atPath: layout.root) }
        defer { try? FileManager.default.removeItem(atPath: layout.sandbox) }
        let siteFile = "\(layout.root)/executor-environment.sh"
        try "export EXECUTOR_FROM_SITE_FILE=from-site\n".write(toFile: siteFile, atomically: true, encoding: .utf8)
        let outcome = try runScript(layout, extra: ["SIDECAR_EXECUTOR_CUSTOM_ENV_PATH": siteFile])
        #expect(outcome.stdout.contains("setting=from-site"))
        let without = try runScript(layout)
        #expect(without.stdout.contains("setting=unset") && without.stdout.contains("no site environment"))
    }

    @Test func aMissingBinaryStopsWithAClearMessage() throws {
        var layout = try makeLayout()
        defer { try? FileManager.default.removeItem(atPath: layout.root) }
        defer { try? FileManager.default.removeItem(atPath: layout.sandbox) }
        layout.binary = "\(layout.root)/not-there"
        let outcome = try runScript(layout)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("\(layout.root)/not-there") && outcome.stderr.contains("SIDECAR_EXECUTOR_PATH"))
    }
}
