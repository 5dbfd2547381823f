import Dispatch

/// A connected, nonblocking UDP socket that sends whole datagrams from the loop and never waits: what the kernel
/// cannot take at once waits in a bounded queue (`maxQueuedBytes`) until the socket is writable again, and what
/// does not fit there, or what the kernel refuses (ECONNREFUSED after an ICMP "port unreachable", no route, ...), is
/// counted as unsent, never retried. Confined to the loop.
public final class DatagramSender: @unchecked Sendable {
    // @unchecked: all state is touched on the loop only.

    public let address: SocketAddress
    public let maxQueuedBytes: Int
    private let loop: EventLoop
    private let watcher: FileDescriptorWatcher
    private var queue: [[UInt8]] = []
    private var queuedBytes = 0
    private var isClosed = false
    /// Datagrams that could not be sent (queue full, or refused by the kernel) over the sender's life.
    public private(set) var unsent = 0
    /// Datagrams handed to the kernel.
    public private(set) var sent = 0
    /// The last reason a datagram was refused, for the log.
    public private(set) var lastError: SystemError?

    private init(address: SocketAddress, fileDescriptor: Int32, loop: EventLoop, maxQueuedBytes: Int) {
        self.address = address
        self.loop = loop
        self.maxQueuedBytes = maxQueuedBytes
        watcher = FileDescriptorWatcher(fileDescriptor: fileDescriptor, loop: loop)
        watcher.onWritable = { [weak self] in self?.flush() }
    }

    /// A socket connected to `address` (a UDP connect only records the peer: it is immediate).
    public static func connect(to address: SocketAddress, loop: EventLoop, maxQueuedBytes: Int = 64 * 1024)
        throws(SystemError) -> DatagramSender
    {
        let fd = try Posix.datagramSocket(family: address.family)
        do {
            _ = try Posix.connect(fd, to: address)
        } catch {
            Posix.close(fd)
            throw error
        }
        return DatagramSender(address: address, fileDescriptor: fd, loop: loop, maxQueuedBytes: maxQueuedBytes)
    }

    /// Sends `datagram` now, or queues it if the socket is full, or counts it as unsent.
    public func send(_ datagram: [UInt8]) {
        loop.assertOnLoop()
        guard !isClosed else { return }
        if queue.isEmpty && attempt(datagram) { return }
        guard queuedBytes + datagram.count <= maxQueuedBytes else {
            unsent += 1
            return
        }
        queue.append(datagram)
        queuedBytes += datagram.count
        try? watcher.setWriteInterest(true)
    }

    /// True when the datagram is done with (sent, or refused and counted); false when the socket is full.
    private func attempt(_ datagram: [UInt8]) -> Bool {
        let outcome = datagram.withUnsafeBytes { bytes in
            Result { () throws(SystemError) in try Posix.sendWithoutWaiting(watcher.fileDescriptor, bytes) }
        }
        switch outcome {
        case .success(.processed): sent += 1
        case .success(.wouldBlock): return false
        case .failure(let error):
            unsent += 1
            lastError = error
        }
        return true
    }

    private func flush() {
        var sentCount = 0
        while sentCount < queue.count, attempt(queue[sentCount]) {
            queuedBytes -= queue[sentCount].count
            sentCount += 1
        }
        queue.removeFirst(sentCount)
        if queue.isEmpty { try? watcher.setWriteInterest(false) }
    }

    /// Drops what waits (counted as unsent) and closes the socket.
    public func close() {
        loop.assertOnLoop()
        guard !isClosed else { return }
        isClosed = true
        unsent += queue.count
        queue = []
        queuedBytes = 0
        watcher.close {}
    }
}
