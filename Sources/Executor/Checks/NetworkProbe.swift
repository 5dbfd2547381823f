import EventLoop

/// One HTTP or TCP probe on a fresh connection: connect (from inside the container's network namespace when one
/// is given), then for HTTP send one `GET` and read up to the response head; close.
///
/// Outcomes: TCP is `.connected(true)` when the connection is accepted, `.connected(false)` when it is refused
/// or unreachable; HTTP is the status code, or `.notPerformed` when no response head arrived. Confined to the loop.
final class NetworkProbe: ProbeHandle, @unchecked Sendable {
    // @unchecked: touched on the loop only.

    /// A response head larger than this is not a health endpoint answering.
    static let maxHeadBytes = 16 * 1024

    private let loop: EventLoop
    private var completion: ((ProbeOutcome) -> Void)?
    private var socket: StreamSocket?
    private var decoder = HTTPResponseDecoder()
    private var buffer = ByteBuffer()

    private init(loop: EventLoop, completion: @escaping (ProbeOutcome) -> Void) {
        self.loop = loop
        self.completion = completion
    }

    /// Starts `probe` (HTTP or TCP) against `host` (a numeric address).
    /// - Parameter connectTimeout: bounds the connect only (nil: no deadline of its own); the caller bounds the
    ///   whole probe.
    static func start(
        _ probe: CheckProbe, host: String, namespace: NetworkNamespace?, loop: EventLoop, connectTimeout: Duration?,
        completion: @escaping (ProbeOutcome) -> Void
    ) -> NetworkProbe {
        let handle = NetworkProbe(loop: loop, completion: completion)
        let port: Int
        var request: [UInt8]?
        switch probe {
        case .http(let probePort, let path, _):
            port = probePort
            let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            var headers = HTTPHeaders()
            headers.add("User-Agent", "sidecar-executor")
            headers.add("Connection", "close")
            request = try? HTTPRequest(method: .get, target: path, headers: headers).serialized(host: authority)
        case .tcp(let probePort, _):
            port = probePort
        case .command:
            handle.finish(.notPerformed(reason: "a COMMAND check is not a network probe"))
            return handle
        }
        let endpoint = Endpoint.tcp(host: host, port: UInt16(port))
        let bound = LoopBound(handle, loop: loop)
        let send = request
        StreamSocket.connect(to: endpoint, on: loop, timeout: connectTimeout, namespace: namespace) { result in
            bound.value.connected(result, request: send)
        }
        return handle
    }

    func cancel() {
        completion = nil
        socket?.close()
        socket = nil
    }

    private func connected(_ result: Result<StreamSocket, SocketError>, request: [UInt8]?) {
        switch result {
        case .failure(let error):
            guard case .connectFailed = error else { return finish(.notPerformed(reason: error.reason)) }
            // Refused or unreachable: a TCP check's negative answer, an HTTP check's failure.
            finish(request == nil ? .connected(false) : .notPerformed(reason: error.reason))
        case .success(let socket):
            guard completion != nil else { return socket.close() }
            guard let request else {
                socket.close()
                return finish(.connected(true))
            }
            self.socket = socket
            socket.onData = { [self] bytes in received(bytes) }
            socket.onClose = { [self] reason in
                self.socket = nil
                finish(.notPerformed(reason: "no HTTP response: \(reason)"))
            }
            socket.write(request)
        }
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
        do throws(HTTPClientError) {
            if case .head(let head) = try decoder.decode(&buffer) { return finish(.httpStatus(head.status)) }
        } catch {
            return finish(.notPerformed(reason: "the HTTP response is malformed: \(error)"))
        }
        if buffer.readableBytes > Self.maxHeadBytes {
            finish(.notPerformed(reason: "the HTTP response head is larger than \(Self.maxHeadBytes) bytes"))
        }
    }

    private func finish(_ outcome: ProbeOutcome) {
        guard let completion else { return }
        self.completion = nil
        if let socket {
            self.socket = nil
            socket.onClose = nil
            socket.close()
        }
        completion(outcome)
    }
}
