import Dispatch
import Foundation
import Glibc
import Testing

@testable import EventLoop

struct SyscallsTests {
    private func socketPair() -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        precondition(socketpair(AF_UNIX, type, 0, &fds) == 0)
        return (fds[0], fds[1])
    }

    @Test func readReturnsWouldBlockOnAnEmptyNonblockingSocketAndZeroAtEndOfFile() throws {
        let (fd, peer) = socketPair()
        defer { close(fd) }
        var storage = [UInt8](repeating: 0, count: 16)
        try storage.withUnsafeMutableBytes { (buffer) throws -> Void in
            #expect(try Posix.read(fd, into: buffer) == .wouldBlock)
            _ = write(peer, "hi", 2)
            #expect(try Posix.read(fd, into: buffer) == .processed(2))
            close(peer)
            #expect(try Posix.read(fd, into: buffer) == .processed(0))
        }
        #expect(storage.prefix(2) == [UInt8(ascii: "h"), UInt8(ascii: "i")])
    }

    @Test func sendToAClosedPeerFailsWithBrokenPipeInsteadOfRaisingSIGPIPE() {
        let (fd, peer) = socketPair()
        defer { close(fd) }
        close(peer)
        let result = Result { () throws(SystemError) in
            try [UInt8](repeating: 1, count: 8).withUnsafeBytes { bytes in
                Result { () throws(SystemError) in try Posix.send(fd, bytes) }
            }.get()
        }
        #expect(result == .failure(SystemError(code: EPIPE, operation: "send")))
    }

    @Test func sendReportsWouldBlockWhenTheBufferIsFull() throws {
        let (fd, peer) = socketPair()
        defer {
            close(fd)
            close(peer)
        }
        let chunk = [UInt8](repeating: 7, count: 65536)
        var sawWouldBlock = false
        for _ in 0..<10_000 where !sawWouldBlock {
            let result = chunk.withUnsafeBytes { bytes in Result { () throws(SystemError) in try Posix.send(fd, bytes) }
            }
            sawWouldBlock = try result.get() == .wouldBlock
        }
        #expect(sawWouldBlock)
    }

    @Test func connectToAMissingUnixPathThrowsASystemError() throws {
        let fd = try Posix.socket(family: .unix)
        defer { Posix.close(fd) }
        let address = try #require(SocketAddress(unixPath: "/nonexistent-\(getpid())/x.sock"))
        #expect(throws: SystemError(code: ENOENT, operation: "connect")) { try Posix.connect(fd, to: address) }
    }

    @Test func socketsAreNonblockingAndCloseOnExec() throws {
        let fd = try Posix.socket(family: .ipv4)
        defer { Posix.close(fd) }
        #expect(fcntl(fd, F_GETFL) & O_NONBLOCK != 0)
        #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)
        try Posix.setNoDelay(fd)
        var value: Int32 = 0
        var length = socklen_t(4)
        getsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &length)
        #expect(value != 0)
        #expect(try Posix.pendingError(fd) == 0)
    }

    @Test func closeReleasesTheDescriptor() throws {
        let fd = try Posix.socket(family: .unix)
        Posix.close(fd)
        #expect(fcntl(fd, F_GETFD) == -1)
    }

    @Test func shutdownOfTheWriteSideGivesThePeerEndOfFile() throws {
        let (fd, peer) = socketPair()
        defer {
            close(fd)
            close(peer)
        }
        try Posix.shutdown(fd, .write)
        var byte: UInt8 = 0
        #expect(read(peer, &byte, 1) == 0)
    }

    @Test func parsesAndFormatsIPAddresses() {
        #expect(Posix.parseIPv4("192.168.1.20") == [192, 168, 1, 20])
        #expect(Posix.parseIPv4("192.168.1") == nil)
        #expect(Posix.parseIPv6("::ffff:1.2.3.4") == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4])
        #expect(Posix.parseIPv6("1.2.3.4") == nil)
        #expect(Posix.formatIP([10, 1, 2, 3]) == "10.1.2.3")
        #expect(Posix.formatIP(Posix.parseIPv6("2001:0db8:0:0:0:0:0:0001")!) == "2001:db8::1")
    }

    @Test func getaddrinfoResolvesLocalhostAndReportsFailuresAsText() {
        let resolved = Posix.getaddrinfo(host: "localhost", port: 80)
        #expect((try? resolved.get())?.contains(.ipv4Loopback(port: 80)) == true)
        guard case .failure(.resolutionFailed(let host, let reason)) = Posix.getaddrinfo(host: "", port: 80) else {
            Issue.record("an empty host name must not resolve")
            return
        }
        #expect(host == "")
        #expect(!reason.isEmpty)
    }

    @Test func environmentMatchesGetenv() throws {
        let entries = Posix.environment()
        let path = try #require(entries.first { $0.hasPrefix("PATH=") })
        #expect(Posix.getenv("PATH").map { "PATH=" + $0 } == path)
        #expect(Posix.getenv("SURELY_NOT_SET_\(getpid())") == nil)
    }

    @Test func wallClockAgreesWithFoundation() {
        #expect(abs(Posix.wallClockSeconds() - Date().timeIntervalSince1970) < 5)
    }

    @Test func processIDAndKillWork() throws {
        #expect(Posix.getpid() == getpid())
        try Posix.kill(Posix.getpid(), 0)  // signal 0 only checks the process exists
        #expect(throws: SystemError(code: ESRCH, operation: "kill")) { try Posix.kill(Int32.max, 0) }
    }

    @Test func writeFullyDeliversEveryByteThroughAPipe() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let payload = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 % 253) }
        let received = Locked<[UInt8]>([])
        let readerDone = DispatchSemaphore(value: 0)
        let readEnd = fds[0]
        onPeerThread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(readEnd, &buffer, buffer.count)
                if count <= 0 { break }
                received.withValue { $0 += buffer[..<count] }
            }
            readerDone.signal()
        }
        try payload.withUnsafeBytes { try Posix.writeFully(fds[1], $0) }
        close(fds[1])
        #expect(readerDone.wait(timeout: .now() + 10) == .success)
        close(fds[0])
        #expect(received.current == payload)
    }

    @Test func systemErrorsDescribeTheCallAndTheReason() {
        let error = SystemError(code: ECONNREFUSED, operation: "connect")
        #expect(error.description == "connect failed: Connection refused (errno 111)")
        #expect(Posix.errorMessage(EPIPE) == "Broken pipe")
    }
}
