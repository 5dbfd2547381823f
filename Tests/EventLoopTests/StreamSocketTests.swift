import Dispatch
import Foundation
import Glibc
import Testing

@testable import EventLoop

/// What a socket reported through its callbacks, readable from the test thread.
final class SocketEvents: Sendable {
    let received = Locked<[UInt8]>([])
    let dataCalls = Locked(0)
    let closes = Locked<[SocketCloseReason]>([])

    /// Installs recording callbacks; call on the loop (e.g. in the connect completion).
    func attach(_ socket: StreamSocket) {
        socket.onData = { [self] bytes in
            received.withValue { $0.append(contentsOf: bytes) }
            dataCalls.withValue { $0 += 1 }
        }
        socket.onClose = { [self] reason in closes.withValue { $0.append(reason) } }
    }

    var text: String { String(decoding: received.current, as: UTF8.self) }
}

struct StreamSocketTests {
    private func exchangePingPong(with listener: TestListener) throws {
        defer { listener.close() }
        let loop = EventLoop(label: "test.socket")
        onPeerThread {
            guard let peer = listener.accept() else { return }
            if peer.read(count: 4) == Array("ping".utf8) { peer.write("pong") }
            peer.close()
        }
        let events = SocketEvents()
        let socket = try connectAndWait(to: listener.endpoint, on: loop) { socket in
            events.attach(socket)
            socket.write(Array("ping".utf8))
        }.get()
        #expect(eventually { events.closes.current == [.eof] })
        #expect(events.text == "pong")
        #expect(onLoop(loop) { socket.isOpen } == false)
    }

    @Test func connectsOverIPv4LoopbackAndExchangesBytes() throws {
        try exchangePingPong(with: TestListener())
    }

    @Test func connectsOverIPv6Loopback() throws {
        guard TestListener.ipv6LoopbackWorks else {
            print("skipped: this machine cannot listen on [::1]")
            return
        }
        try exchangePingPong(with: TestListener(ipv6: true))
    }

    @Test func connectsToAUnixSocket() throws {
        try exchangePingPong(with: TestListener(unixBacklog: 4))
    }

    @Test func refusedConnectionReportsConnectFailed() throws {
        // A bound but not listening socket holds the port, so nobody else can start listening on it.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        let endpoint = Endpoint.tcp(host: "127.0.0.1", port: TestListener.localPort(holder))
        let result = connectAndWait(to: endpoint, on: EventLoop(label: "test.refused"))
        guard case .failure(let error) = result else {
            Issue.record("connected to a port nobody listens on")
            return
        }
        #expect(
            error == .connectFailed(endpoint: endpoint, error: SystemError(code: ECONNREFUSED, operation: "connect")))
        #expect(error.description.contains("Connection refused"))
    }

    @Test func missingUnixSocketReportsConnectFailed() {
        let endpoint = Endpoint.unix(path: NSTemporaryDirectory() + "no-such-\(getpid()).sock")
        let result = connectAndWait(to: endpoint, on: EventLoop(label: "test.nounix"))
        guard case .failure(.connectFailed(let failed, let error)) = result else {
            Issue.record("expected connectFailed, got \(result)")
            return
        }
        #expect(failed == endpoint)
        #expect(error.code == ENOENT)
    }

    @Test func connectTimesOutWhenTheListenBacklogIsFull() throws {
        let listener = try TestListener(backlog: 0)
        defer { listener.close() }
        // Never accepted, these fill the accept queue; after that the kernel drops SYNs and connects hang.
        var fillers: [Int32] = []
        defer { for filler in fillers { close(filler) } }
        for _ in 0..<4 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = listener.port.bigEndian
            address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            fillers.append(filler)
        }
        let result = connectAndWait(
            to: listener.endpoint, on: EventLoop(label: "test.timeout"), timeout: .milliseconds(300))
        guard case .failure(let error) = result else {
            print("skipped: this kernel accepted a connection beyond a full backlog")
            return
        }
        #expect(error == .timedOut(endpoint: listener.endpoint, after: .milliseconds(300)))
        #expect(error.code == ETIMEDOUT)
    }

    @Test func localhostConnectsToIPv4Loopback() throws {
        let listener = try TestListener()
        defer { listener.close() }
        onPeerThread { listener.accept()?.close() }
        let socket = try connectAndWait(to: .tcp(host: "localhost", port: listener.port), on: EventLoop(label: "t"))
            .get()
        #expect(socket.remoteAddress == .ipv4Loopback(port: listener.port))
    }

    @Test func localhostFallsBackToIPv6WhenIPv4Refuses() throws {
        guard TestListener.ipv6LoopbackWorks else {
            print("skipped: this machine cannot listen on [::1]")
            return
        }
        let listener = try TestListener(ipv6: true)
        defer { listener.close() }
        onPeerThread { listener.accept()?.close() }
        let result = connectAndWait(to: .tcp(host: "localhost", port: listener.port), on: EventLoop(label: "t"))
        guard case .success(let socket) = result else {
            // Something else may listen on 127.0.0.1 at the same port number: then IPv4 wins, legitimately.
            Issue.record("localhost did not reach [::1]: \(result)")
            return
        }
        #expect(socket.remoteAddress.family == .ipv6 || socket.remoteAddress == .ipv4Loopback(port: listener.port))
    }

    @Test func namesResolveOffTheLoopThroughGetaddrinfo() throws {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        let hostname = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard case .success(let addresses) = Posix.getaddrinfo(host: hostname, port: 1),
            addresses.contains(where: { $0.bytes == [127, 0, 0, 1] })
        else {
            print("skipped: the host name '\(hostname)' does not resolve to 127.0.0.1 here")
            return
        }
        let listener = try TestListener()
        defer { listener.close() }
        onPeerThread { listener.accept()?.close() }
        let result = connectAndWait(to: .tcp(host: hostname, port: listener.port), on: EventLoop(label: "t"))
        #expect((try? result.get().remoteAddress) == .ipv4Loopback(port: listener.port))
    }

    @Test func unresolvableNameReportsResolutionFailure() {
        let result = connectAndWait(to: .tcp(host: "", port: 80), on: EventLoop(label: "t"))
        guard case .failure(.resolutionFailed(let host, let reason)) = result else {
            Issue.record("expected a resolution failure, got \(result)")
            return
        }
        #expect(host == "")
        #expect(!reason.isEmpty)
    }
}

struct StreamSocketDataTests {
    @Test func echoesTenMegabytesInOrderAndTheWriteSourceGoesIdle() throws {
        let listener = try TestListener()
        defer { listener.close() }
        onPeerThread {
            guard let peer = listener.accept() else { return }
            while let piece = peer.readSome(), peer.write(piece) {}
            peer.close()
        }
        let loop = EventLoop(label: "test.echo")
        let events = SocketEvents()
        let socket = try connectAndWait(to: listener.endpoint, on: loop) { events.attach($0) }.get()
        // Several writes of different sizes: the later ones queue behind the partially sent first one.
        let sizes = [6_000_000, 1, 3_999_999, 517, 1_000_000 - 517]
        // Byte i of the stream is i % 251, so a lost, repeated or reordered piece shows. Built by doubling: a byte at a
        // time, 11 MB took seconds of a debug build on a busy machine.
        let total = sizes.reduce(0, +)
        var expected = (0..<251).map { UInt8($0) }
        while expected.count * 2 <= total { expected += expected }
        expected += expected.prefix(total - expected.count)
        let payload = expected
        let queuedRightAway = onLoop(loop) { () -> (Int, Bool) in
            var offset = 0
            for size in sizes {
                socket.write(Array(payload[offset..<offset + size]))
                offset += size
            }
            return (socket.pendingWriteBytes, socket.isWaitingForWritability)
        }
        // 11 MB cannot fit in a fresh socket's buffers: part of it must wait for writability.
        #expect(queuedRightAway.0 > 0)
        #expect(queuedRightAway.1)
        #expect(eventually(within: 300) { events.received.withValue { $0.count } >= payload.count })
        #expect(events.received.current == payload)
        let idle = onLoop(loop) { (socket.pendingWriteBytes, socket.isWaitingForWritability) }
        #expect(idle.0 == 0)
        #expect(idle.1 == false)
        onLoop(loop) { socket.close() }
        #expect(eventually { events.closes.current == [.closedLocally] })
    }

    @Test func peerCloseReportsEndOfFileAfterTheLastBytes() throws {
        let listener = try TestListener()
        defer { listener.close() }
        onPeerThread {
            guard let peer = listener.accept() else { return }
            peer.write("bye")
            peer.close()
        }
        let events = SocketEvents()
        _ = try connectAndWait(to: listener.endpoint, on: EventLoop(label: "t")) { events.attach($0) }.get()
        #expect(eventually { !events.closes.current.isEmpty })
        #expect(events.text == "bye")
        #expect(events.closes.current == [.eof])
    }

    @Test func peerResetReportsConnectionReset() throws {
        let listener = try TestListener()
        defer { listener.close() }
        let connected = DispatchSemaphore(value: 0)
        onPeerThread {
            guard let peer = listener.accept() else { return }
            // Reset only once the client saw the connection succeed (else connect itself reports the reset).
            _ = connected.wait(timeout: .now() + 10)
            peer.reset()
        }
        let events = SocketEvents()
        _ = try connectAndWait(to: listener.endpoint, on: EventLoop(label: "t")) { events.attach($0) }.get()
        connected.signal()
        #expect(eventually { !events.closes.current.isEmpty })
        #expect(events.closes.current == [.error(SystemError(code: ECONNRESET, operation: "read"))])
    }

    @Test func writeAfterThePeerClosedReportsBrokenPipeWithoutKillingTheProcess() throws {
        let listener = try TestListener()
        defer { listener.close() }
        let closeNow = DispatchSemaphore(value: 0)
        onPeerThread {
            guard let peer = listener.accept() else { return }
            _ = closeNow.wait(timeout: .now() + 10)
            peer.close()
        }
        let loop = EventLoop(label: "test.epipe")
        let events = SocketEvents()
        let socket = try connectAndWait(to: listener.endpoint, on: loop) { events.attach($0) }.get()
        let outcome = onLoop(loop) { () -> (openAfterFirstWrite: Bool, openAfterSecondWrite: Bool) in
            // All in one loop turn, so the read source cannot report the FIN first: let the peer close, wait
            // for its FIN, write once (the closed peer answers with RST), wait for the RST and clear its
            // pending ECONNRESET; the next send can then only fail with EPIPE.
            closeNow.signal()
            let pollReadHangUp: Int16 = 0x2000  // POLLRDHUP, which Glibc does not export to Swift
            _ = waitForReadiness(socket.fileDescriptor, events: pollReadHangUp, milliseconds: 10_000)
            socket.write([1])
            let openAfterFirstWrite = socket.isOpen
            _ = waitForReadiness(socket.fileDescriptor, events: 0, milliseconds: 10_000)
            var pending: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(socket.fileDescriptor, SOL_SOCKET, SO_ERROR, &pending, &length)
            socket.write([2])
            return (openAfterFirstWrite, socket.isOpen)
        }
        #expect(outcome.openAfterFirstWrite)
        #expect(!outcome.openAfterSecondWrite)
        #expect(eventually { !events.closes.current.isEmpty })
        #expect(events.closes.current == [.error(SystemError(code: EPIPE, operation: "send"))])
    }

    @Test func closingInsideOnDataStopsEveryLaterCallback() throws {
        let listener = try TestListener()
        defer { listener.close() }
        let closedLocally = DispatchSemaphore(value: 0)
        onPeerThread {
            guard let peer = listener.accept() else { return }
            peer.write("first")
            _ = closedLocally.wait(timeout: .now() + 10)
            for _ in 0..<10 { peer.write("more") }
            peer.close()
        }
        let loop = EventLoop(label: "test.close-in-ondata")
        let events = SocketEvents()
        _ = try connectAndWait(to: listener.endpoint, on: loop) { socket in
            socket.onData = { _ in
                events.dataCalls.withValue { $0 += 1 }
                socket.close()
                socket.close()
                socket.write([1])
            }
            socket.onClose = { reason in
                events.closes.withValue { $0.append(reason) }
                closedLocally.signal()
            }
        }.get()
        #expect(eventually { !events.closes.current.isEmpty })
        // Give a wrongly still-watched descriptor every chance to report the peer's later bytes and EOF.
        usleep(200_000)
        _ = onLoop(loop) { true }
        #expect(events.dataCalls.current == 1)
        #expect(events.closes.current == [.closedLocally])
    }

    @Test func theDescriptorIsReleasedOnlyAfterItsSourcesAreCancelled() throws {
        let listener = try TestListener()
        defer { listener.close() }
        let testDone = DispatchSemaphore(value: 0)
        defer { testDone.signal() }
        onPeerThread {
            guard let peer = listener.accept() else { return }
            // Stay connected until the test ends, so only the local close() can release the descriptor.
            _ = testDone.wait(timeout: .now() + 20)
            peer.close()
        }
        let loop = EventLoop(label: "test.fd")
        let identityAtClose = Locked<(before: ino_t, after: ino_t?)?>(nil)
        let socket = try connectAndWait(to: listener.endpoint, on: loop) { socket in
            socket.write([1])  // also creates the write source, so both sources must be cancelled
        }.get()
        let before = onLoop(loop) { () -> (ino_t?, ino_t?) in
            let fd = socket.fileDescriptor
            let original = inode(fd)
            socket.onClose = { _ in
                // The descriptor must be gone (or reused by another test's socket: a different inode).
                identityAtClose.withValue { $0 = (original ?? 0, inode(fd)) }
            }
            socket.close()
            // Closed from our side, but the sources are not cancelled yet: the descriptor must still be ours.
            return (original, inode(fd))
        }
        #expect(before.0 != nil)
        #expect(before.0 == before.1)
        #expect(eventually { identityAtClose.current != nil })
        let atClose = try #require(identityAtClose.current)
        #expect(atClose.after == nil || atClose.after != atClose.before)
    }
}

/// The inode behind a descriptor, or nil when the descriptor is not open.
private func inode(_ fd: Int32) -> ino_t? {
    var status = stat()
    return fstat(fd, &status) == 0 ? status.st_ino : nil
}
