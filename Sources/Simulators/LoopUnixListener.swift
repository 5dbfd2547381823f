import Dispatch
import EventLoop
import Glibc

/// A Unix-socket listener driven by an event loop: every pending connection is accepted as a nonblocking
/// `StreamSocket` on the same loop, so one thread serves thousands of connections (the simulated engine's
/// fleet), where `BlockingHTTPServer` spends a thread on each.
///
/// Confined to the loop once started.
final class LoopUnixListener: @unchecked Sendable {
    // @unchecked: the mutable state is touched on the loop only.
    let path: String
    let loop: EventLoop
    private let descriptor: Int32
    private var source: (any DispatchSourceRead)?
    /// Called on the loop with each accepted connection; it must set the socket's callbacks.
    var onConnection: ((StreamSocket) -> Void)?

    /// Binds and listens at once (replacing a stale socket file), so clients may connect before `start()`;
    /// `backlog` bounds connections not yet accepted (the kernel caps it at `net.core.somaxconn`).
    init(path: String, loop: EventLoop, backlog: Int32 = 4096) throws(SimulatorSocketError) {
        self.path = path
        self.loop = loop
        descriptor = try SimulatorSocket.listenOnUnixPath(path)
        // A fleet connecting at once overflows the default backlog of 128; listen again only raises it.
        _ = Glibc.listen(descriptor, backlog)
    }

    /// Starts accepting. Call on the loop.
    func start() {
        loop.assertOnLoop()
        guard source == nil else { return }
        let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: loop.queue)
        source.setEventHandler { [weak self] in self?.acceptPending() }
        source.setCancelHandler { [descriptor] in Glibc.close(descriptor) }
        self.source = source
        source.activate()
    }

    /// Stops accepting, closes the listening socket and removes its file; open connections are not touched.
    /// Call on the loop.
    func stop() {
        loop.assertOnLoop()
        guard let source else { return }
        self.source = nil
        source.cancel()
        SimulatorSocket.removeFile(path)
    }

    private func acceptPending() {
        let endpoint = Endpoint.unix(path: path)
        let remote = SocketAddress(unixPath: path)
        while source != nil {
            let accepted = Glibc.accept(descriptor, nil, nil)
            if accepted < 0 {
                // EAGAIN: none left. EMFILE and the like: the source fires again while connections wait.
                if errno == EINTR { continue }
                return
            }
            _ = fcntl(accepted, F_SETFD, FD_CLOEXEC)
            _ = fcntl(accepted, F_SETFL, fcntl(accepted, F_GETFL) | O_NONBLOCK)
            guard let remote else {
                Glibc.close(accepted)
                continue
            }
            onConnection?(
                StreamSocket.accepted(
                    fileDescriptor: accepted, listeningOn: endpoint, remoteAddress: remote, loop: loop))
        }
    }
}
