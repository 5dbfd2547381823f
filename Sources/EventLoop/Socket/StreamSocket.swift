/// A connected, nonblocking stream socket (TCP or Unix) driven by the event loop.
///
/// Confined to the loop queue: set the callbacks and call `write`/`close` on the loop (normally from the
/// `connect` completion or another loop callback). Incoming bytes arrive through `onData` as a view of the
/// loop's scratch buffer, valid only during the call, so reading allocates nothing. `onClose` fires exactly
/// once, after the descriptor has been released, and nothing fires after it. An open socket keeps itself
/// alive (its DispatchSources retain it) until it closes.
public final class StreamSocket: @unchecked Sendable {
    // @unchecked: every mutable property is only touched on the loop queue.

    public let loop: EventLoop
    /// The endpoint this socket was connected to.
    public let endpoint: Endpoint
    /// The address that accepted the connection.
    public let remoteAddress: SocketAddress
    private let watcher: FileDescriptorWatcher

    /// Called on the loop with received bytes; the view is valid only during the call.
    public var onData: ((UnsafeRawBufferPointer) -> Void)?
    /// Called once on the loop when the socket has closed, for whatever reason.
    public var onClose: ((SocketCloseReason) -> Void)?
    /// False from the moment the socket starts closing (error, end of file or `close()`).
    public private(set) var isOpen = true

    /// Bytes accepted by `write` that the kernel has not taken yet.
    public private(set) var pendingWriteBytes = 0
    private var pendingChunks: [[UInt8]] = []
    private var firstPendingChunk = 0
    private var firstChunkOffset = 0

    /// How many reads (of up to `EventLoop.readBufferSize` bytes) one wake-up may do before yielding the loop.
    private static let readsPerWakeUp = 16

    /// The descriptor, for tests that check when it is released.
    var fileDescriptor: Int32 { watcher.fileDescriptor }
    /// Whether the write source is resumed, for tests that check an idle socket causes no wake-ups.
    var isWaitingForWritability: Bool { watcher.isWriteSourceResumed }

    init(loop: EventLoop, endpoint: Endpoint, remoteAddress: SocketAddress, watcher: FileDescriptorWatcher) {
        self.loop = loop
        self.endpoint = endpoint
        self.remoteAddress = remoteAddress
        self.watcher = watcher
        // Strong captures on purpose: the watcher's sources keep an open socket alive; `close` drops them.
        watcher.onReadable = { [self] in readable() }
        watcher.onWritable = { [self] in flush() }
        try? watcher.setWriteInterest(false)  // turning interest off cannot fail
        watcher.startReading()
    }

    /// Connects to `endpoint` and calls `completion` on the loop, always asynchronously, with a connected
    /// socket or the reason it failed. Callable from any thread. `timeout` bounds the whole attempt: name
    /// resolution and every address tried in turn (nil: no deadline here, for a caller that bounds the attempt
    /// itself; the kernel's SYN retries still end a connect). Set `onData`/`onClose` inside the completion: reading
    /// starts as soon as it returns. With `namespace`, the socket is created inside that network namespace.
    public static func connect(
        to endpoint: Endpoint,
        on loop: EventLoop,
        timeout: Duration?,
        namespace: NetworkNamespace? = nil,
        _ completion: @escaping @Sendable (Result<StreamSocket, SocketError>) -> Void
    ) {
        _ = ignoreBrokenPipeSignal
        loop.execute {
            SocketConnector(
                endpoint: endpoint, loop: loop, timeout: timeout, namespace: namespace, completion: completion
            ).start()
        }
    }

    /// Sends use MSG_NOSIGNAL already; ignoring SIGPIPE process-wide as well guards against any other write
    /// to a closed socket or pipe killing the executor.
    static let ignoreBrokenPipeSignal: Void = Posix.ignoreSignal(Posix.Signal.brokenPipe)

    /// Queues `bytes` behind earlier writes and sends as much as the kernel takes now; the rest goes out as
    /// the socket turns writable. Never calls back synchronously: a failure closes the socket and is
    /// reported through `onClose`. Bytes written to a closed socket are dropped.
    public func write(_ bytes: [UInt8]) {
        loop.assertOnLoop()
        guard isOpen, !bytes.isEmpty else { return }
        pendingChunks.append(bytes)
        pendingWriteBytes += bytes.count
        if pendingChunks.count - firstPendingChunk == 1 { flush() }
    }

    /// Closes the socket now, dropping unsent bytes; `onClose(.closedLocally)` follows asynchronously.
    /// Idempotent, and a no-op once the socket is already closing.
    public func close() {
        loop.assertOnLoop()
        finish(.closedLocally)
    }

    private func readable() {
        // Read until the kernel says EAGAIN (or EOF) rather than trusting the source to fire again for what
        // is left: libdispatch on Linux disarms the fd on each event, and an end of file that arrived with
        // the last bytes has been seen not to re-fire for Unix sockets (observed on gVisor).
        var reads = 0
        while isOpen {
            guard reads < Self.readsPerWakeUp else {
                // Plenty read in one go: let other sockets and timers run, then carry on.
                loop.execute { [self] in
                    if isOpen { readable() }
                }
                return
            }
            reads += 1
            let buffer = loop.readBuffer
            let result: IOResult<Int>
            do {
                result = try Posix.read(watcher.fileDescriptor, into: buffer)
            } catch {
                finish(.error(error))
                return
            }
            switch result {
            case .wouldBlock:
                return
            case .processed(0):
                finish(.eof)
                return
            case .processed(let count):
                onData?(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            }
        }
    }

    private func flush() {
        while isOpen && firstPendingChunk < pendingChunks.count {
            let chunk = pendingChunks[firstPendingChunk]
            let offset = firstChunkOffset
            let fd = watcher.fileDescriptor
            let result = chunk.withUnsafeBytes { raw in
                Result { () throws(SystemError) in try Posix.send(fd, UnsafeRawBufferPointer(rebasing: raw[offset...]))
                }
            }
            switch result {
            case .failure(let error):
                finish(.error(error))
                return
            case .success(.wouldBlock):
                waitForWritability()
                return
            case .success(.processed(let count)):
                pendingWriteBytes -= count
                firstChunkOffset += count
                guard firstChunkOffset == chunk.count else {
                    // A partial send means the kernel buffer is full: wait for writability, not for EAGAIN.
                    waitForWritability()
                    return
                }
                pendingChunks[firstPendingChunk] = []
                firstPendingChunk += 1
                firstChunkOffset = 0
            }
        }
        pendingChunks.removeAll(keepingCapacity: pendingChunks.capacity <= 16)
        firstPendingChunk = 0
        try? watcher.setWriteInterest(false)  // turning interest off cannot fail
    }

    private func waitForWritability() {
        do {
            try watcher.setWriteInterest(true)
        } catch {
            finish(.error(error))
        }
    }

    private func finish(_ reason: SocketCloseReason) {
        guard isOpen else { return }
        isOpen = false
        pendingChunks = []
        firstPendingChunk = 0
        firstChunkOffset = 0
        pendingWriteBytes = 0
        watcher.close { [self] in
            let callback = onClose
            // The callbacks usually capture the socket's owner: release them so neither keeps the other.
            onData = nil
            onClose = nil
            callback?(reason)
        }
    }
}
