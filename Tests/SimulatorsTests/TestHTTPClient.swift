import Glibc
import Simulators
import TestSupport

/// Why the test client gave up.
enum TestClientError: Error, Equatable, CustomStringConvertible {
    case connectFailed(errno: Int32)
    case timedOut(received: Int)
    /// The peer closed (FIN) before a complete response arrived.
    case closed(received: Int)
    /// The peer reset the connection.
    case reset
    case malformed(String)

    var description: String {
        switch self {
        case .connectFailed(let code): "The test client could not connect (errno \(code))."
        case .timedOut(let received): "The test client timed out after receiving \(received) bytes."
        case .closed(let received): "The server closed the connection after \(received) bytes."
        case .reset: "The server reset the connection."
        case .malformed(let why): "The server's response is malformed: \(why)."
        }
    }
}

/// A response as the test client read it.
struct TestHTTPResponse: CustomStringConvertible {
    var status: Int
    var reason: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var wasChunked: Bool

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var bodyString: String { String(decoding: body, as: UTF8.self) }

    /// Short enough for a failure message even when the body is megabytes long.
    var description: String {
        let fields = headers.map { "\($0.name): \($0.value)" }.joined(separator: "; ")
        return "\(status) \(reason) [\(fields)] \(body.count) bytes\(wasChunked ? " (chunked)" : ""): "
            + String(bodyString.prefix(120))
    }
}

/// A tiny blocking HTTP/1.1 client over a raw socket, so the server tests depend on neither the
/// project's event loop nor URLSession. It sends exactly the bytes it is given.
final class TestHTTPClient {
    private let descriptor: Int32
    private var pending: [UInt8] = []

    init(port: UInt16) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw TestClientError.connectFailed(errno: code)
        }
        // Each send becomes its own segment, so split writes really arrive split.
        var enable: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &enable, socklen_t(MemoryLayout<Int32>.size))
    }

    init(unixPath: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(unixPath.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw TestClientError.connectFailed(errno: code)
        }
    }

    convenience init(_ server: BlockingHTTPServer) throws {
        if let path = server.unixPath {
            try self.init(unixPath: path)
        } else {
            try self.init(port: server.port)
        }
    }

    deinit {
        close(descriptor)
    }

    /// A GET (or other bodiless) request with a Host header.
    static func request(_ target: String, method: String = "GET", headers: [String] = []) -> String {
        "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers.map { "\($0)\r\n" }.joined() + "\r\n"
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        let ok = bytes.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let count = Glibc.send(descriptor, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if count <= 0 { return false }
                sent += count
            }
            return true
        }
        if !ok { throw TestClientError.reset }
    }

    /// Sends each piece with its own write.
    func send(pieces: [[UInt8]]) throws {
        for piece in pieces where !piece.isEmpty { try send(piece) }
    }

    func shutdownWrite() {
        shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Reads one complete response (Content-Length, chunked, or until close).
    func readResponse(timeout: Duration = .seconds(60), forHead: Bool = false) throws -> TestHTTPResponse {
        let deadline = ContinuousClock.now + timeout
        var headEnd: Int?
        while headEnd == nil {
            headEnd = pending.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound
            if headEnd == nil { try fill(until: deadline) }
        }
        let headText = String(decoding: pending[..<headEnd!], as: UTF8.self)
        pending.removeFirst(headEnd!)
        // "\r\n" is a single Character in Swift, so this splits on CRLF.
        var lines = headText.split(separator: "\r\n").map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2).map(String.init)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw TestClientError.malformed("status line '\(statusLine)'")
        }
        let headers = try lines.map { line -> (name: String, value: String) in
            guard let colon = line.firstIndex(of: ":") else { throw TestClientError.malformed("header '\(line)'") }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            return (String(line[..<colon]), String(value))
        }
        var response = TestHTTPResponse(
            status: status, reason: statusLine.count > 2 ? statusLine[2] : "", headers: headers, body: [],
            wasChunked: false)
        if forHead || status == 204 || status == 304 || (100..<200).contains(status) { return response }
        if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.wasChunked = true
            response.body = try readChunkedBody(until: deadline)
        } else if let length = response.header("Content-Length").flatMap(Int.init) {
            while pending.count < length { try fill(until: deadline) }
            response.body = Array(pending[..<length])
            pending.removeFirst(length)
        } else {
            response.body = try readUntilClosed(timeout: deadline - .now)
        }
        return response
    }

    /// The next chunk of a chunked body whose head `readResponse(forHead: true)` returned; nil once the terminating
    /// chunk (and any trailer) has been read. For long polls whose body comes later (a wait, a log stream).
    func readChunk(timeout: Duration = .seconds(60)) throws -> [UInt8]? {
        let deadline = ContinuousClock.now + timeout
        let line = try readLine(until: deadline)
        guard let size = Int(line.split(separator: ";", maxSplits: 1).first.map(String.init) ?? "", radix: 16) else {
            throw TestClientError.malformed("chunk size '\(line)'")
        }
        if size == 0 {
            while try !readLine(until: deadline).isEmpty {}
            return nil
        }
        while pending.count < size + 2 { try fill(until: deadline) }
        let chunk = Array(pending[..<size])
        pending.removeFirst(size + 2)
        return chunk
    }

    private func readChunkedBody(until deadline: ContinuousClock.Instant) throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine(until: deadline)
            let sizeText = line.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard let size = Int(sizeText, radix: 16) else { throw TestClientError.malformed("chunk size '\(line)'") }
            if size == 0 {
                while try !readLine(until: deadline).isEmpty {}
                return body
            }
            while pending.count < size + 2 { try fill(until: deadline) }
            body += pending[..<size]
            guard pending[size] == 13, pending[size + 1] == 10 else { throw TestClientError.malformed("chunk end") }
            pending.removeFirst(size + 2)
        }
    }

    private func readLine(until deadline: ContinuousClock.Instant) throws -> String {
        while true {
            if let end = pending.firstRange(of: [13, 10]) {
                let line = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                pending.removeFirst(end.upperBound)
                return line
            }
            try fill(until: deadline)
        }
    }

    /// Waits until the received bytes contain `marker`; returns (and consumes) everything up to its end.
    func readUntil(_ marker: String, timeout: Duration = .seconds(60)) throws -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        let bytes = Array(marker.utf8)
        while true {
            if let range = pending.firstRange(of: bytes) {
                let prefix = Array(pending[..<range.upperBound])
                pending.removeFirst(range.upperBound)
                return prefix
            }
            try fill(until: deadline)
        }
    }

    /// Everything until the server closes; throws `.timedOut` if it does not within `timeout`.
    func readUntilClosed(timeout: Duration = .seconds(60)) throws -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        do {
            while true { try fill(until: deadline) }
        } catch TestClientError.closed {
            defer { pending = [] }
            return pending
        }
    }

    /// Reads more bytes into `pending`; throws at end of stream, reset or deadline.
    private func fill(until deadline: ContinuousClock.Instant) throws {
        let remaining = deadline - .now
        let milliseconds = max(
            0, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, Int32(milliseconds)) > 0 else { throw TestClientError.timedOut(received: pending.count) }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            throw errno == ECONNRESET ? TestClientError.reset : TestClientError.malformed("recv errno \(errno)")
        }
        if count == 0 { throw TestClientError.closed(received: pending.count) }
        pending += chunk[..<count]
    }
}

extension Array where Element == UInt8 {
    /// The bytes cut at random points (1 to 16 bytes per piece), deterministically for a seed.
    func randomPieces(seed: UInt64) -> [[UInt8]] {
        var generator = SeededGenerator(seed: seed)
        var pieces: [[UInt8]] = []
        var start = 0
        while start < count {
            let length = Int.random(in: 1...16, using: &generator)
            pieces.append(Array(self[start..<Swift.min(count, start + length)]))
            start += length
        }
        return pieces
    }
}
