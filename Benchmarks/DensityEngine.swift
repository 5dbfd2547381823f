import EventLoop
import Foundation
import Glibc

/// The benchmark's own blocking client of the private Docker engine (a Unix socket): just the calls it needs to
/// kill containers from outside, clean up, and follow `die` events. Requests are HTTP/1.0, so the Go server never
/// chunks an answer and ends each one by closing: the body is simply everything until EOF.
struct DensityEngine: Sendable {
    /// The socket path from `DOCKER_HOST` (`unix://PATH`).
    let socketPath: String

    init(dockerHost: String) throws {
        guard dockerHost.hasPrefix("unix://") else {
            throw DensityFailure("DOCKER_HOST must be unix://PATH for the density benchmark, not '\(dockerHost)'")
        }
        socketPath = String(dockerHost.dropFirst("unix://".count))
    }

    /// One request; the status and the body.
    func request(_ method: String, _ path: String, body: String? = nil) throws -> (status: Int, body: [UInt8]) {
        let descriptor = try connectSocket()
        defer { close(descriptor) }
        try sendHead(descriptor, method: method, path: path, body: body)
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            response.append(contentsOf: chunk[0..<count])
        }
        guard let end = Self.headEnd(response) else {
            throw DensityFailure("the engine's answer to \(method) \(path) has no complete HTTP head")
        }
        let statusLine = String(decoding: response[0..<end], as: UTF8.self).split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw DensityFailure("the engine's answer to \(method) \(path) has no status code")
        }
        return (status, Array(response[(end + 4)...]))
    }

    func ping() -> Bool { (try? request("GET", "/_ping"))?.status == 200 }

    func imageExists(_ name: String) -> Bool { (try? request("GET", "/images/\(name)/json"))?.status == 200 }

    /// SIGKILL from outside, as a crash or the OOM killer would end the task.
    func kill(container id: String) throws {
        let answer = try request("POST", "/containers/\(id)/kill?signal=KILL")
        guard answer.status == 204 else {
            throw DensityFailure(
                "killing container \(id) answered \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
        }
    }

    /// IDs of every container (running or not) carrying `label`.
    func containers(withLabel label: String) throws -> [String] {
        try labelledContainers(withLabel: label).map(\.id)
    }

    /// Every container (running or not) carrying `label`, with all of its labels.
    func labelledContainers(withLabel label: String) throws -> [(id: String, labels: [String: String])] {
        let filter = Self.percentEncoded("{\"label\":[\"\(label)\"]}")
        let answer = try request("GET", "/containers/json?all=1&filters=\(filter)")
        guard answer.status == 200, case .array(let list) = try JSON.parse(answer.body) else {
            throw DensityFailure("listing containers answered \(answer.status)")
        }
        return list.compactMap { entry -> (id: String, labels: [String: String])? in
            guard let id = entry["Id"]?.stringValue else { return nil }
            var labels: [String: String] = [:]
            for (name, value) in entry["Labels"]?.objectValue ?? [:] { labels[name] = value.stringValue }
            return (id, labels)
        }
    }

    func remove(container id: String) -> Bool {
        (try? request("DELETE", "/containers/\(id)?force=1&v=1"))?.status == 204
    }

    /// Opens the event stream (`/events` with `filters`) and returns the connected socket, the HTTP head already
    /// consumed; every later read is newline-separated JSON events.
    func openEventStream(filters: String) throws -> (descriptor: Int32, leftover: [UInt8]) {
        let descriptor = try connectSocket()
        do {
            try sendHead(descriptor, method: "GET", path: "/events?filters=\(Self.percentEncoded(filters))", body: nil)
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while Self.headEnd(received) == nil {
                let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw DensityFailure("the engine closed the event stream before its head") }
                received.append(contentsOf: chunk[0..<count])
            }
            let end = Self.headEnd(received)!
            guard String(decoding: received[0..<end], as: UTF8.self).hasPrefix("HTTP/1.0 200") else {
                throw DensityFailure(
                    "the engine refused the event stream: \(String(decoding: received, as: UTF8.self))")
            }
            return (descriptor, Array(received[(end + 4)...]))
        } catch {
            close(descriptor)
            throw error
        }
    }

    private func connectSocket() throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw DensityFailure("socket() failed: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(socketPath.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw DensityFailure("the engine socket path \(socketPath) is too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(descriptor)
            throw DensityFailure("cannot connect to the engine at \(socketPath): errno \(code)")
        }
        return descriptor
    }

    private func sendHead(_ descriptor: Int32, method: String, path: String, body: String?) throws {
        var text = "\(method) \(path) HTTP/1.0\r\nHost: docker\r\n"
        if let body {
            text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        } else {
            text += "\r\n"
        }
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes {
                send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw DensityFailure("sending \(method) \(path) to the engine failed: errno \(errno)")
            }
            sent += count
        }
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    private static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

/// A problem that ends the benchmark, in words.
struct DensityFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
