import EventLoop

/// The executor's stdout and stderr as the loop writes them: container output, the executor's own log lines and
/// (in `run-task`) its status lines all go through one nonblocking `OutputWriter` per descriptor, so a slow reader
/// (the agent's log pipe, `mesos-logrotate`) costs dropped lines, never a stalled status update.
///
/// Created once the loop exists. Log lines written off the loop (none are expected) and before `install` keep the
/// direct write to stderr.
final class ProcessOutputs: @unchecked Sendable {
    // @unchecked: the writers are confined to the loop.

    /// The outputs the exit paths flush; set once by `install`, before the loop runs.
    nonisolated(unsafe) private(set) static var installed: ProcessOutputs?

    let loop: EventLoop
    let stdout: OutputWriter
    let stderr: OutputWriter

    init(loop: EventLoop, stdout: OutputWriter? = nil, stderr: OutputWriter? = nil) {
        self.loop = loop
        self.stdout = stdout ?? OutputWriter(fileDescriptor: 1, loop: loop)
        self.stderr = stderr ?? OutputWriter(fileDescriptor: 2, loop: loop)
        self.stdout.onDrops = { started, count in Self.reportDrops("stdout", started: started, count: count) }
        self.stderr.onDrops = { started, count in Self.reportDrops("stderr", started: started, count: count) }
    }

    /// Makes these the process's outputs: log lines written on the loop go through `stderr`.
    func install() {
        Self.installed = self
        let loop = loop
        let stderr = stderr
        Log.sink = { line in
            if loop.isOnLoop {
                stderr.write(line: line)
            } else {
                StandardStreams.write(line, to: .stderr)
            }
        }
    }

    /// One line per episode of a slow reader, and one with the count when it caught up: never one per line.
    static func reportDrops(_ stream: String, started: Bool, count: Int) {
        if started {
            Log.warning(
                "The reader of \(stream) is slower than the output: whole lines are dropped until it catches up.")
        } else {
            Log.warning("\(count) line(s) of \(stream) were dropped while its reader was behind.")
        }
    }

    /// Writes what waits (at most a second per stream), for the moment the process exits.
    func flushBeforeExit() {
        for (name, writer) in [("stdout", stdout), ("stderr", stderr)] {
            let unreported = writer.takeUnreportedDrops()
            if unreported > 0 { Self.reportDrops(name, started: false, count: unreported) }
        }
        stdout.flushBeforeExit()
        stderr.flushBeforeExit()
    }

    /// Flushes the installed outputs, if any, and exits.
    static func exit(_ status: Int32) -> Never {
        installed?.flushBeforeExit()
        ProcessControl.exit(status)
    }
}
