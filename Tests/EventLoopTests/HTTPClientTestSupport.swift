// A scripted raw HTTP peer for the HTTP client tests: each accepted connection runs a script on its own
// thread with blocking reads and writes of exact bytes, so tests control framing down to the byte.
import Dispatch
import EventLoop
import Foundation

/// Accepts connections (TCP on 127.0.0.1 or a Unix socket) and runs `script` for each one, with its index.
final class ScriptedServer: Sendable {
    let listener: TestListener
    /// How many connections were accepted so far.
    let accepted = Locked(0)
    /// Every request head received, in arrival order, with the index of the connection that carried it.
    let requests = Locked<[(connection: Int, head: String)]>([])
    private let stopped = Locked(false)

    init(unix: Bool = false, script: @escaping @Sendable (ScriptedPeer) -> Void) throws {
        let listener = unix ? try TestListener(unixBacklog: 16) : try TestListener()
        self.listener = listener
        onPeerThread { [accepted, stopped, requests] in
            while !stopped.current {
                guard let connection = listener.accept(timeout: 1) else { continue }
                let index = accepted.withValue {
                    $0 += 1
                    return $0 - 1
                }
                let peer = ScriptedPeer(connection: connection, index: index, requests: requests)
                onPeerThread {
                    script(peer)
                    connection.close()
                }
            }
            // Closed here, on the thread that polls it, so the number cannot be reused under its feet.
            listener.close()
        }
    }

    var endpoint: Endpoint { listener.endpoint }

    func stop() {
        stopped.withValue { $0 = true }
    }
}

/// One accepted connection of a `ScriptedServer`.
struct ScriptedPeer: Sendable {
    let connection: TestConnection
    /// 0 for the first connection the server accepted, 1 for the second...
    let index: Int
    let requests: Locked<[(connection: Int, head: String)]>

    /// Reads one request (head plus a Content-Length body) and returns its head; nil on EOF or silence.
    @discardableResult
    func readRequest(timeout: Int32 = 60) -> String? {
        guard let text = connection.read(until: "\r\n\r\n", timeout: timeout) else { return nil }
        let head = String(text[..<text.range(of: "\r\n\r\n")!.upperBound])
        let already = text.utf8.count - head.utf8.count
        let lengthLine = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
        let length = lengthLine.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        if length > already { _ = connection.read(count: length - already, timeout: timeout) }
        requests.withValue { $0.append((index, head)) }
        return head
    }

    func send(_ text: String) {
        connection.write(text)
    }

    /// Waits until the client closes the connection (or `timeout` seconds pass).
    func waitForClientClose(timeout: Int32 = 60) {
        while connection.readSome(timeout: timeout) != nil {}
    }
}

/// Runs `HTTPClient.request` on the loop and waits for its completion.
func perform(
    _ client: HTTPClient,
    _ request: HTTPRequest,
    timeout: Duration = .seconds(60),
    maxBodyBytes: Int = HTTPClient.defaultMaxBodyBytes
) -> Result<HTTPResponse, HTTPClientError> {
    let result = Locked<Result<HTTPResponse, HTTPClientError>?>(nil)
    let done = DispatchSemaphore(value: 0)
    client.loop.execute {
        client.request(request, timeout: timeout, maxBodyBytes: maxBodyBytes) { outcome in
            result.withValue { $0 = outcome }
            done.signal()
        }
    }
    guard done.wait(timeout: .now() + 120) == .success else { fatalError("the HTTP request never completed") }
    return result.current!
}

/// What a stream delivered, in order, as text.
final class StreamEvents: Sendable {
    let heads = Locked<[HTTPResponseHead]>([])
    let pieces = Locked<[String]>([])
    let ends = Locked<[Result<Void, HTTPClientError>]>([])

    var endErrors: [HTTPClientError?] {
        ends.current.map { result in
            if case .failure(let error) = result { return error }
            return nil
        }
    }

    /// Starts `request` as a stream on the loop, recording everything it delivers.
    func start(
        _ request: HTTPRequest,
        on client: HTTPClient,
        headTimeout: Duration? = .seconds(10),
        onBody: @escaping @Sendable (String) -> Void = { _ in }
    ) -> HTTPClientTask {
        onLoop(client.loop) {
            client.stream(
                request, headTimeout: headTimeout,
                onHead: { head in self.heads.withValue { $0.append(head) } },
                onBody: { bytes in
                    let text = String(decoding: bytes, as: UTF8.self)
                    self.pieces.withValue { $0.append(text) }
                    onBody(text)
                },
                onEnd: { result in self.ends.withValue { $0.append(result) } })
        }
    }
}
