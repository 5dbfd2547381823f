import EventLoop

/// Where a container's output goes: the executor's own stdout and stderr, which Mesos keeps as the sandbox's
/// `stdout` and `stderr` files. Tests inject a recorder.
protocol ContainerLogSink: AnyObject {
    func write(_ bytes: [UInt8], to stream: DockerLogStream)
}

/// Container stdout to the executor's stdout, container stderr to its stderr (the executor's own log lines also go
/// to stderr, a line at a time, so the two interleave by line).
final class StandardStreamsLogSink: ContainerLogSink {
    func write(_ bytes: [UInt8], to stream: DockerLogStream) {
        let fileDescriptor: Int32 = stream == .stderr ? 2 : 1
        bytes.withUnsafeBytes { buffer in
            // A closed stdout (the sandbox file gone) must not stop the task: the output is dropped.
            try? Posix.writeFully(fileDescriptor, buffer)
        }
    }
}
