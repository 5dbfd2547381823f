import Foundation
import Simulators
import Testing

/// `executor.sh` as the original's users deploy it: a bash site file, and upgrades while tasks run.
@Suite(.serialized, .requires(.releaseBinary)) struct ExecutorScriptCompatibilityTests {
    /// The release build, which operators install (`swift build -c release`).
    static func releaseBinary() throws -> String {
        try ProgramUnderTest.binary()
    }

    @Test func aSiteFileInBashSyntaxReadingUnsetVariablesDoesNotFailTheLaunch() throws {
        let layout = try ExecutorScriptTests().makeLayout()
        defer { try? FileManager.default.removeItem(atPath: layout.root) }
        defer { try? FileManager.default.removeItem(atPath: layout.sandbox) }
        let siteFile = "\(layout.root)/executor-environment.sh"
        try """
        # bash only: [[ ]], arrays, $'…' quoting; and variables nobody set.
        hosts=(a b c)
        if [[ -z $NOT_SET_ANYWHERE && ${#hosts[@]} -eq 3 ]]; then
          export EXECUTOR_FROM_SITE_FILE=$'from\\x2dsite'"$ALSO_NOT_SET"
        fi
        """.write(toFile: siteFile, atomically: true, encoding: .utf8)
        let outcome = try ExecutorScriptTests().runScript(layout, extra: ["SIDECAR_EXECUTOR_CUSTOM_ENV_PATH": siteFile])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("setting=from-site\n"), "\(outcome.stdout)")
    }

    @Test func aFailingCommandInTheSiteFileStillStopsTheLaunchAsInTheOriginal() throws {
        let layout = try ExecutorScriptTests().makeLayout()
        defer { try? FileManager.default.removeItem(atPath: layout.root) }
        defer { try? FileManager.default.removeItem(atPath: layout.sandbox) }
        let siteFile = "\(layout.root)/executor-environment.sh"
        try "false\nexport EXECUTOR_FROM_SITE_FILE=late\n".write(toFile: siteFile, atomically: true, encoding: .utf8)
        let outcome = try ExecutorScriptTests().runScript(layout, extra: ["SIDECAR_EXECUTOR_CUSTOM_ENV_PATH": siteFile])
        #expect(outcome.status != 0)
        #expect(!outcome.stdout.contains("setting="), "the executor was not started")
    }

    /// The installed binary is hard-linked into each sandbox and runs from there: `cp` over the installed path
    /// writes into that running file and fails ("Text file busy"); renaming a new file over the path works and
    /// leaves the running executor on its own version.
    @Test func upgradingByCopyFailsWhileATaskRunsAndRenamingWorks() throws {
        let release = try Self.releaseBinary()
        let root = try ProgramUnderTest.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let installed = "\(root)/sidecar-executor"
        try FileManager.default.copyItem(atPath: release, toPath: installed)
        let sandbox = "\(root)/sandbox"
        try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)

        let agent = try SimulatedAgent(checkpoint: false)
        // The executor stays up as beside a running task (an idle one would be shut down at once).
        agent.shutsDownIdleExecutor = false
        agent.start()
        defer { agent.stop() }
        var environment = agent.environment(sandbox: sandbox)
        environment["PATH"] = "/usr/bin:/bin"
        environment["SIDECAR_EXECUTOR_PATH"] = installed
        environment["SIDECAR_EXECUTOR_CUSTOM_ENV_PATH"] = "\(root)/absent.sh"
        environment["DOCKER_CONFIG"] = sandbox
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProgramUnderTest.executorScript)
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        // Running: subscribed to the agent, from the sandbox's name of the installed file.
        #expect(eventually(timeout: .seconds(30)) { agent.calls.contains { $0.type == "SUBSCRIBE" } })
        let running = try FileManager.default.destinationOfSymbolicLink(
            atPath: "/proc/\(process.processIdentifier)/exe")
        #expect(running == "\(sandbox)/sidecar-executor")

        let newBuild = "\(root)/sidecar-executor.new"
        try FileManager.default.copyItem(atPath: release, toPath: newBuild)
        let copy = try ProgramUnderTest.run(["/bin/cp", newBuild, installed], environment: ["PATH": "/usr/bin:/bin"])
        #expect(copy.status != 0)
        #expect(copy.stderr.contains("Text file busy"), "\(copy.stderr)")

        let rename = try ProgramUnderTest.run(["/bin/mv", newBuild, installed], environment: ["PATH": "/usr/bin:/bin"])
        #expect(rename.status == 0, "\(rename.stderr)")
        let installedInode = try FileManager.default.attributesOfItem(atPath: installed)[.systemFileNumber] as? NSNumber
        let sandboxInode =
            try FileManager.default.attributesOfItem(atPath: "\(sandbox)/sidecar-executor")[.systemFileNumber]
            as? NSNumber
        #expect(installedInode != sandboxInode, "new tasks get the new file; the running task keeps its own")
        #expect(process.isRunning, "the running executor is untouched by the upgrade")
    }
}
