import Dispatch

/// One `StreamSocket.connect` in progress: resolves the endpoint, tries its addresses in turn with
/// nonblocking connects, and enforces one deadline over all of it. Confined to the loop queue.
///
/// Name resolution must never stall the loop:
/// - numeric addresses are parsed with inet_pton right on the loop (no I/O);
/// - "localhost" maps to 127.0.0.1 then ::1 without asking the resolver (it is what the executor talks to
///   most, and /etc/hosts lookups are still file I/O);
/// - any other name goes to getaddrinfo on a global Dispatch queue: a one-off worker, because glibc offers
///   no nonblocking resolver and a DNS stall must not freeze every task-health check. Its result hops back
///   to the loop. getaddrinfo cannot be cancelled, so when the connect timeout fires first the caller gets
///   its timeout at once and the late result is dropped.
final class SocketConnector: @unchecked Sendable {
    // @unchecked: every mutable property is only touched on the loop queue.

    private let endpoint: Endpoint
    private let loop: EventLoop
    /// Nil: the caller bounds the attempt.
    private let timeout: Duration?
    /// Where the sockets are created; nil: the process's own network.
    private let namespace: NetworkNamespace?
    private var completion: (@Sendable (Result<StreamSocket, SocketError>) -> Void)?
    private var deadline: ScheduledTimer?
    private var candidates: [SocketAddress] = []
    private var nextCandidate = 0
    private var attempt: (watcher: FileDescriptorWatcher, address: SocketAddress)?
    private var lastError: SystemError?

    init(
        endpoint: Endpoint,
        loop: EventLoop,
        timeout: Duration?,
        namespace: NetworkNamespace? = nil,
        completion: @escaping @Sendable (Result<StreamSocket, SocketError>) -> Void
    ) {
        self.endpoint = endpoint
        self.loop = loop
        self.timeout = timeout
        self.namespace = namespace
        self.completion = completion
    }

    func start() {
        loop.assertOnLoop()
        if let timeout {
            deadline = loop.schedule(after: timeout) { [self] in
                finish(.failure(.timedOut(endpoint: endpoint, after: timeout)))
            }
        }
        switch endpoint {
        case .unix(let path):
            guard let address = SocketAddress(unixPath: path) else {
                finish(.failure(.invalidUnixPath(path)))
                return
            }
            tryAddresses([address])
        case .tcp(let host, let port):
            if let address = SocketAddress(numericHost: host, port: port) {
                tryAddresses([address])
            } else if host.lowercased() == "localhost" || host.lowercased() == "localhost." {
                tryAddresses([.ipv4Loopback(port: port), .ipv6Loopback(port: port)])
            } else {
                DispatchQueue.global().async { [self] in
                    let result = Posix.getaddrinfo(host: host, port: port)
                    loop.execute { [self] in resolved(result) }
                }
            }
        }
    }

    private func resolved(_ result: Result<[SocketAddress], SocketError>) {
        guard completion != nil else { return }
        switch result {
        case .success(let addresses): tryAddresses(addresses)
        case .failure(let error): finish(.failure(error))
        }
    }

    private func tryAddresses(_ addresses: [SocketAddress]) {
        candidates = addresses
        nextCandidate = 0
        tryNextAddress()
    }

    private func tryNextAddress() {
        while completion != nil {
            guard nextCandidate < candidates.count else {
                let error = lastError ?? SystemError(code: Posix.Errno.connectionRefused, operation: "connect")
                finish(.failure(.connectFailed(endpoint: endpoint, error: error)))
                return
            }
            let address = candidates[nextCandidate]
            nextCandidate += 1
            let watcher: FileDescriptorWatcher
            do {
                let fd: Int32
                if let namespace {
                    fd = try namespace.socket(family: address.family)
                } else {
                    fd = try Posix.socket(family: address.family)
                }
                watcher = FileDescriptorWatcher(fileDescriptor: fd, loop: loop)
            } catch {
                lastError = error
                continue
            }
            do {
                switch try Posix.connect(watcher.fileDescriptor, to: address) {
                case .connected:
                    succeed(watcher: watcher, address: address)
                case .pending:
                    watcher.onWritable = { [self] in handshakeEnded() }
                    try watcher.setWriteInterest(true)
                    attempt = (watcher, address)
                }
                return
            } catch {
                lastError = error
                watcher.close {}
            }
        }
    }

    /// The socket turned writable: the handshake is over, and SO_ERROR says how it went.
    private func handshakeEnded() {
        guard let (watcher, address) = attempt else { return }
        attempt = nil
        watcher.onWritable = nil
        // Most connections never wait for writability again; the socket makes a new source if it must.
        watcher.releaseWriteSource()
        var code: Int32
        do {
            code = try Posix.pendingError(watcher.fileDescriptor)
        } catch {
            code = error.code
        }
        if code == 0 {
            succeed(watcher: watcher, address: address)
        } else {
            lastError = SystemError(code: code, operation: "connect")
            watcher.close {}
            tryNextAddress()
        }
    }

    private func succeed(watcher: FileDescriptorWatcher, address: SocketAddress) {
        if address.family != .unix {
            // Requests are small and latency matters more than packet count. A failure only costs latency.
            try? Posix.setNoDelay(watcher.fileDescriptor)
        }
        finish(.success(StreamSocket(loop: loop, endpoint: endpoint, remoteAddress: address, watcher: watcher)))
    }

    private func finish(_ result: Result<StreamSocket, SocketError>) {
        guard let completion else { return }
        self.completion = nil
        deadline?.cancel()
        deadline = nil
        if let attempt {
            attempt.watcher.close {}
            self.attempt = nil
        }
        completion(result)
    }
}
