import EventLoop

/// `SidecarTransport` over the event loop's `HTTPClient`, bound to the host and port of EXECUTOR_SIDECAR_URL.
final class HTTPSidecarTransport: SidecarTransport, @unchecked Sendable {
    // Confined to the loop, like the HTTPClient it wraps.
    private let client: HTTPClient

    init(loop: EventLoop, url: HTTPURL) {
        client = HTTPClient(endpoint: .tcp(host: url.host, port: url.port), on: loop, hostHeader: url.hostHeader)
    }

    /// Connections open or opening, for tests.
    var connectionCount: Int { client.connectionCount }

    func send(
        _ request: HTTPRequest,
        timeout: Duration,
        maxBodyBytes: Int,
        completion: @escaping (Result<SidecarAnswer, HTTPClientError>) -> Void
    ) -> any SidecarRequest {
        let task = client.request(request, timeout: timeout, maxBodyBytes: maxBodyBytes) { result in
            completion(result.map { SidecarAnswer(status: $0.status, body: $0.body) })
        }
        return Handle(task)
    }

    func close() {
        client.close()
    }

    /// An HTTP request as a `SidecarRequest`.
    private final class Handle: SidecarRequest, @unchecked Sendable {
        // Confined to the loop.
        private let task: HTTPClientTask
        init(_ task: HTTPClientTask) { self.task = task }
        func cancel() { task.cancel() }
    }
}

extension SidecarClient {
    /// The executor's client: HTTP to EXECUTOR_SIDECAR_URL's host and port; `serviceName` as Sidecar lists the task.
    convenience init(
        loop: EventLoop, settings: ExecutorSettings, serviceName: String?, logger: SidecarLogger = .executorLog
    ) {
        self.init(
            loop: loop, settings: settings, transport: HTTPSidecarTransport(loop: loop, url: settings.sidecarURL),
            serviceName: serviceName, logger: logger)
    }
}
