import Foundation
import Glibc

/// An executor started with `posix_spawn`, through `/bin/sh -c 'cd SANDBOX && exec ...'` (the same process once
/// the shell has exec'd). Foundation's `Process.run` crashed (a bad read in memmove, among the numbers of the
/// parent's open descriptors) once the benchmark held some 1,400 descriptors, at 71 and at 131 executors of a
/// 300-executor run; nothing here looks at the parent's descriptors, which are all close-on-exec.
final class DensitySpawnedProcess: @unchecked Sendable {
    // @unchecked: `status` is guarded by `lock`.
    let processIdentifier: Int32
    private let lock = NSLock()
    private var status: Int32?

    init(command: [String], environment: [String: String], directory: String, stdout: String, stderr: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let arguments = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory] + command
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        guard result == 0 else {
            throw DensityFailure("posix_spawn of \(command.joined(separator: " ")): errno \(result)")
        }
        processIdentifier = pid
    }

    var isRunning: Bool {
        reap()
        return lock.withLock { status == nil }
    }

    /// The exit code, or 128 + the signal that ended it; 0 while it runs.
    var terminationStatus: Int32 {
        reap()
        return lock.withLock {
            guard let status else { return 0 }
            return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        }
    }

    /// Blocks until the process has exited.
    func waitUntilExit() {
        lock.withLock {
            guard status == nil else { return }
            var raw: Int32 = 0
            while waitpid(processIdentifier, &raw, 0) < 0 && errno == EINTR {}
            status = raw
        }
    }

    func terminate() {
        if isRunning { kill(processIdentifier, SIGTERM) }
    }

    private func reap() {
        lock.withLock {
            guard status == nil else { return }
            var raw: Int32 = 0
            if waitpid(processIdentifier, &raw, WNOHANG) == processIdentifier { status = raw }
        }
    }
}
