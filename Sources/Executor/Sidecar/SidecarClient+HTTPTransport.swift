import EventLoop

/// `SidecarTransport` over the event loop's `HTTPClient`, bound to the host and port of EXECUTOR_SIDECAR_URL.
final class HTTPSidecarTransport: SidecarTransport, @unchecked Sendable {
    // Confined to the loop, like the HTTPClient it wraps.
    private let client: HTTPClient
    /// Set for an https URL whose TLS context could not be made: every request fails with it, never in plain text.
    private let tlsFailure: TLSError?

    init(loop: EventLoop, url: HTTPURL) {
        var tls: TLSContext?
        var tlsFailure: TLSError?
        if url.isTLS {
            switch SidecarTLS.context {
            case .success(let context): tls = context
            case .failure(let error): tlsFailure = error
            }
        }
        self.tlsFailure = tlsFailure
        client = HTTPClient(endpoint: url.endpoint, on: loop, hostHeader: url.hostHeader, tls: tls)
    }

    /// Connections open or opening, for tests.
    var connectionCount: Int { client.connectionCount }

    func send(
        _ request: HTTPRequest,
        timeout: Duration,
        maxBodyBytes: Int,
        completion: @escaping (Result<SidecarAnswer, HTTPClientError>) -> Void
    ) -> any SidecarRequest {
        if let tlsFailure {
            client.close()  // a closed client fails every request at once, asynchronously
            let task = client.request(request, timeout: timeout) { _ in
                completion(
                    .failure(.connectFailed(endpoint: self.client.endpoint.description, reason: tlsFailure.message)))
            }
            return Handle(task)
        }
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
