/// Unbuffered writes to the process's standard output and error, which Mesos captures into the sandbox's
/// `stdout`/`stderr` files: the executor's logs.
public enum StandardStreams {
    /// One of the two output streams.
    public enum Stream: Sendable {
        case stdout, stderr

        var fileDescriptor: Int32 {
            switch self {
            case .stdout: return 1
            case .stderr: return 2
            }
        }
    }

    /// Writes all of `text` (looping over partial writes). A failure (a closed stream) is ignored: there is
    /// nowhere left to report it, and logging must never bring the executor down.
    public static func write(_ text: String, to stream: Stream) {
        var text = text
        text.withUTF8 { bytes in
            try? Posix.writeFully(stream.fileDescriptor, UnsafeRawBufferPointer(bytes))
        }
    }
}
