import EventLoop
import Foundation

/// Blocking HTTP/1.1 over loopback TCP for the test's v1 scheduler: one request per connection for calls, and a
/// streaming reader for the SUBSCRIBE response (chunked transfer encoding carrying RecordIO records).
enum MesosHTTP {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// Connects to `host:port` (numeric IPv4).
    static func connect(_ hostPort: String) throws -> Int32 {
        let parts = hostPort.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else {
            throw Failure(description: "bad address \(hostPort)")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr(String(parts[0]))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(description: "connect to \(hostPort): errno \(errno)")
        }
        return fd
    }

    static func request(_ path: String, host: String, body: String, headers: [String: String] = [:]) -> [UInt8] {
        var text = "POST \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/json\r\n"
        text += "Accept: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        return Array((text + "\r\n" + body).utf8)
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += sent
        }
    }

    /// POSTs `body` on a connection of its own and reads the whole answer.
    static func post(_ path: String, to hostPort: String, body: String, headers: [String: String] = [:]) throws
        -> Response
    {
        let fd = try connect(hostPort)
        defer { close(fd) }
        try sendAll(
            fd, request(path, host: hostPort, body: body, headers: headers.merging(["Connection": "close"]) { $1 }))
        let reader = Reader(fd: fd)
        let head = try reader.head()
        var body: [UInt8] = []
        if let length = Int(head.headers["content-length"] ?? "") {
            body = try reader.exactly(length)
        } else if head.headers["transfer-encoding"]?.lowercased() == "chunked" {
            while let chunk = try reader.chunk() { body += chunk }
        }
        return Response(status: head.status, headers: head.headers, body: String(decoding: body, as: UTF8.self))
    }

    /// Buffered reads from a blocking socket.
    final class Reader: @unchecked Sendable {
        let fd: Int32
        private var buffer: [UInt8] = []

        init(fd: Int32) { self.fd = fd }

        private func fill() throws {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else {
                throw Failure(description: count == 0 ? "connection closed" : "recv: errno \(errno)")
            }
            buffer += chunk[0..<count]
        }

        func line() throws -> String {
            while true {
                if let index = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = buffer[..<index]
                    buffer.removeFirst(index + 1)
                    return String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
                }
                try fill()
            }
        }

        func exactly(_ count: Int) throws -> [UInt8] {
            while buffer.count < count { try fill() }
            let bytes = Array(buffer[..<count])
            buffer.removeFirst(count)
            return bytes
        }

        func head() throws -> (status: Int, headers: [String: String]) {
            let statusLine = try line()
            let fields = statusLine.split(separator: " ")
            guard fields.count >= 2, let status = Int(fields[1]) else {
                throw Failure(description: "bad status line '\(statusLine)'")
            }
            var headers: [String: String] = [:]
            while true {
                let header = try line()
                if header.isEmpty { break }
                if let colon = header.firstIndex(of: ":") {
                    headers[header[..<colon].lowercased()] = header[header.index(after: colon)...]
                        .trimmingCharacters(in: .whitespaces)
                }
            }
            return (status, headers)
        }

        /// The next chunk of a chunked body; nil at the last (empty) chunk.
        func chunk() throws -> [UInt8]? {
            let sizeLine = try line()
            guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
                throw Failure(description: "bad chunk size '\(sizeLine)'")
            }
            if size == 0 {
                _ = try line()
                return nil
            }
            let bytes = try exactly(size)
            _ = try line()
            return bytes
        }
    }
}
