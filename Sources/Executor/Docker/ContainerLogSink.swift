import EventLoop

/// Where a container's output goes: the executor's own stdout and stderr, which Mesos keeps as the sandbox's
/// `stdout` and `stderr` files. Tests inject a recorder.
protocol ContainerLogSink: AnyObject {
    func write(_ bytes: [UInt8], to stream: DockerLogStream)
}

/// Container stdout to the executor's stdout, container stderr to its stderr (the executor's own log lines also go
/// to stderr, a line at a time, so the two interleave by line), through the nonblocking writers of
/// `ProcessOutputs`: a reader slower than the container loses whole lines, and the loop never waits for it.
final class StandardStreamsLogSink: ContainerLogSink {
    let outputs: ProcessOutputs

    init(outputs: ProcessOutputs) {
        self.outputs = outputs
    }

    func write(_ bytes: [UInt8], to stream: DockerLogStream) {
        (stream == .stderr ? outputs.stderr : outputs.stdout).write(bytes, from: .relayed)
    }
}
