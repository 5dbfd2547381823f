import EventLoop
import Glibc

/// A real TLS server in front of a plain simulated peer: it accepts TLS connections on 127.0.0.1 with the given
/// certificate, and relays each one's decrypted bytes to the peer's plain port and back. The simulated Vault uses
/// it, so the executor's TLS client meets the same handshakes, certificate checks and alerts a real server sends.
///
/// Plain threads with blocking sockets (one per connection), like every simulator; OpenSSL through the same
/// dlopen'ed library as the executor (`OpenSSLLibrary`), but used blocking on the descriptor here. `stop()` closes
/// the listener and every connection and joins every thread.
public final class TLSTerminator: @unchecked Sendable {
    // @unchecked: mutable state is behind `lock`.

    /// The TLS port on 127.0.0.1.
    public let port: UInt16
    private let backendPort: UInt16
    private let library: OpenSSLLibrary
    private let context: SSLPointer
    private let listener: Int32
    private let stopSignal: (read: Int32, write: Int32)
    private let lock = ConditionLock()
    private var stopped = false
    private var acceptThread: JoinableThread?
    private var threads: [JoinableThread] = []
    private var openDescriptors: Set<Int32> = []
    private var handshakeFailures = 0

    /// Serves `certificate` (a PEM chain) with `key`, relaying to 127.0.0.1:`backendPort`.
    public init(certificate: String, key: String, backendPort: UInt16) throws(TLSError) {
        // OpenSSL writes to the descriptor with write(2): a client that hung up must not kill the test process.
        Posix.ignoreSignal(Posix.Signal.brokenPipe)
        let library = try OpenSSLLibrary.shared.get()
        guard let context = library.contextNew(library.serverMethod()) else {
            throw TLSError(.configuration, "no server context")
        }
        guard library.contextUseCertificateChainFile(context, certificate) == 1,
            library.contextUsePrivateKeyFile(context, key, 1) == 1
        else {
            library.contextFree(context)
            throw TLSError(.configuration, "the server certificate \(certificate) or key \(key) cannot be loaded")
        }
        do {
            (listener, port) = try SimulatorSocket.listenOnLoopback()
            stopSignal = try SimulatorSocket.makePipe()
        } catch {
            library.contextFree(context)
            throw TLSError(.configuration, "cannot listen: \(error)")
        }
        self.library = library
        self.context = context
        self.backendPort = backendPort
    }

    /// Handshakes that failed (the client refused the certificate, or spoke no TLS).
    public var failedHandshakeCount: Int { lock.withLock { handshakeFailures } }

    public func start() {
        lock.withLock {
            guard acceptThread == nil, !stopped else { return }
            acceptThread = JoinableThread.start(name: "tls-accept") { self.acceptLoop() }
        }
    }

    public func stop() {
        let (accepting, open): (JoinableThread?, Set<Int32>) = lock.withLock {
            guard !stopped else { return (nil, []) }
            stopped = true
            return (acceptThread, openDescriptors)
        }
        SimulatorSocket.write(stopSignal.write, byte: 1)
        accepting?.join()
        for descriptor in open { SimulatorSocket.shutdownBoth(descriptor) }
        for thread in lock.withLock({ threads }) { thread.join() }
        SimulatorSocket.close(listener)
        SimulatorSocket.close(stopSignal.read)
        SimulatorSocket.close(stopSignal.write)
        library.contextFree(context)
    }

    private func acceptLoop() {
        while true {
            let ready = SimulatorSocket.waitUntilReadable([listener, stopSignal.read])
            if ready[1] { return }
            guard ready[0], let descriptor = SimulatorSocket.accept(listener) else { continue }
            lock.withLock {
                openDescriptors.insert(descriptor)
                threads.append(JoinableThread.start(name: "tls-connection") { self.serve(descriptor) })
            }
        }
    }

    private func serve(_ client: Int32) {
        let ssl = library.sslNew(context)
        defer {
            library.sslFree(ssl)
            lock.withLock { _ = openDescriptors.remove(client) }
            SimulatorSocket.close(client)
        }
        _ = library.sslSetFD(ssl, client)
        guard library.sslAccept(ssl) == 1 else {
            lock.withLock { handshakeFailures += 1 }
            return
        }
        guard let backend = Self.connectToLoopback(port: backendPort) else { return }
        defer { SimulatorSocket.close(backend) }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let ready =
                library.sslPending(ssl) > 0
                ? [true, false, false] : SimulatorSocket.waitUntilReadable([client, backend, stopSignal.read])
            if ready[2] { return }
            if ready[0] {
                let count = buffer.withUnsafeMutableBytes { library.sslRead(ssl, $0.baseAddress, Int32($0.count)) }
                guard count > 0, SimulatorSocket.sendAll(backend, Array(buffer[..<Int(count)])) else { return }
            }
            if ready[1] {
                let count = SimulatorSocket.receive(backend, into: &buffer)
                guard count > 0 else {
                    _ = library.sslShutdown(ssl)
                    return
                }
                let written = buffer.withUnsafeBytes { library.sslWrite(ssl, $0.baseAddress, Int32(count)) }
                guard written == count else { return }
            }
        }
    }

    private static func connectToLoopback(port: UInt16) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            SimulatorSocket.close(descriptor)
            return nil
        }
        return descriptor
    }
}
