import Foundation

/// A UDP socket on 127.0.0.1 that a test reads datagrams from, one by one (a blocking read with a timeout per
/// datagram), closed by `close()`.
final class UDPListener: @unchecked Sendable {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw DockerTestEngine.Unavailable(description: "no UDP port: errno \(errno)") }
        port = UInt16(bigEndian: address.sin_port)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The next datagram, or nil after 10 s without one.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 70_000)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count < 0 ? nil : String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// The next `count` datagrams (fewer if they stop coming).
    func receive(_ count: Int) -> [String] {
        var received: [String] = []
        while received.count < count, let next = receive() { received.append(next) }
        return received
    }

    func close() { Foundation.close(fd) }
}
