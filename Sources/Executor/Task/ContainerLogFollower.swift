import EventLoop

/// Follows one container's output into a log sink for its task supervisor.
///
/// A stream that breaks while the container may still run (the engine restarting) is followed again after a growing
/// pause, from the moment the last output arrived, so nothing is repeated; output arriving resets the count of
/// attempts. Confined to the event loop.
final class ContainerLogFollower {
    /// Consecutive broken log streams followed again (an engine restart breaks one; a broken engine, every one).
    static let maxRetries = 5

    private let loop: EventLoop
    private let engine: any DockerEngine
    private let sink: any ContainerLogSink
    private let containerID: String
    private let tty: Bool
    /// The first pause before following again; doubled for each further one (at most 8 s).
    private let retryDelay: Duration
    /// Whether following again makes sense (false once the task has ended).
    private let mayRetry: () -> Bool
    private var handle: (any DockerStreamHandle)?
    private var retryTimer: ScheduledTimer?
    private var retries = 0
    /// When the container's output last arrived (seconds since the epoch), to re-follow from there.
    private var lastOutput: Double?

    init(
        loop: EventLoop, engine: any DockerEngine, sink: any ContainerLogSink, containerID: String, tty: Bool,
        retryDelay: Duration, mayRetry: @escaping () -> Bool
    ) {
        self.loop = loop
        self.engine = engine
        self.sink = sink
        self.containerID = containerID
        self.tty = tty
        self.retryDelay = retryDelay
        self.mayRetry = mayRetry
    }

    /// Follows from the container's start.
    func start() {
        follow(since: nil)
    }

    /// Stops following; nothing is written afterwards.
    func stop() {
        retryTimer?.cancel()
        retryTimer = nil
        handle?.cancel()
        handle = nil
    }

    private func follow(since: Double?) {
        handle = engine.followLogs(
            containerID: containerID, tty: tty, since: since,
            onOutput: { [self] stream, bytes in
                lastOutput = WallClock.now()
                retries = 0
                sink.write(bytes, to: stream)
            },
            onEnd: { [self] error in
                handle = nil
                guard let error else { return }
                Log.warning("Following the logs of \(containerID.prefix(12)) ended: \(error)")
                guard mayRetry(), retries < Self.maxRetries else { return }
                let delay = min(retryDelay * (1 << min(retries, 4)), .seconds(8))
                retries += 1
                let refollow = LoopBound({ [self] in follow(since: lastOutput) }, loop: loop)
                retryTimer = loop.schedule(after: delay) { refollow.value() }
            })
    }
}
