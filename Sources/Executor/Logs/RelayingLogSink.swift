/// A container's output to its sink (the sandbox's files) and, line by line, to the UDP log relay. The relay never
/// holds the sink up: it queues what it can and counts what it cannot send.
final class RelayingLogSink: ContainerLogSink {
    private let sink: any ContainerLogSink
    private let relay: LogRelay

    init(_ sink: any ContainerLogSink, relay: LogRelay) {
        self.sink = sink
        self.relay = relay
    }

    func write(_ bytes: [UInt8], to stream: DockerLogStream) {
        sink.write(bytes, to: stream)
        relay.relay(bytes, from: stream)
    }
}
