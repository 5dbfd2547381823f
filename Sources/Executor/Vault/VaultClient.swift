import EventLoop

/// Vault's HTTP API on the event loop: each call carries `X-Vault-Token`, JSON in and out, and is tried again
/// (VAULT_MAX_RETRIES times, after 0.5 s, 1 s, 2 s...) when the connection fails or Vault answers 5xx.
///
/// Confined to the loop. The TLS context (for an https VAULT_ADDR) is made by `VaultClient.make` at start-up; a
/// context that could not be made is kept as the reason every call fails, so nothing is ever sent in plain text to
/// an https address.
final class VaultClient: @unchecked Sendable {
    // @unchecked: confined to the loop.

    /// An answer: its status and its JSON body (nil when empty, as for 204, or not JSON).
    struct Answer: Sendable {
        var status: Int
        var body: JSONValue?
    }

    let loop: EventLoop
    let settings: VaultSettings
    private let http: HTTPClient
    private let setupFailure: VaultError?
    static let timeout: Duration = .seconds(10)

    private init(loop: EventLoop, settings: VaultSettings, http: HTTPClient, setupFailure: VaultError?) {
        self.loop = loop
        self.settings = settings
        self.http = http
        self.setupFailure = setupFailure
    }

    /// Loads OpenSSL and the CA files for an https address now (call before the loop runs).
    static func make(loop: EventLoop, settings: VaultSettings) -> VaultClient {
        var tls: TLSContext?
        var failure: VaultError?
        if settings.address.isTLS {
            do {
                tls = try TLSContext.make(settings.tls)
            } catch {
                failure = VaultError("TLS to Vault at \(settings.address.origin) cannot be set up: \(error)")
            }
        }
        let http = HTTPClient(
            endpoint: settings.address.endpoint, on: loop, hostHeader: settings.address.hostHeader, tls: tls)
        return VaultClient(loop: loop, settings: settings, http: http, setupFailure: failure)
    }

    /// `method /v1/path` with `token` (if any) and a JSON `body` (if any).
    func call(
        _ method: HTTPMethod, _ path: String, token: String?, body: JSONValue? = nil,
        completion: @escaping (Result<Answer, VaultError>) -> Void
    ) {
        loop.assertOnLoop()
        if let setupFailure {
            let bound = LoopBound(completion, loop: loop)
            loop.execute { bound.value(.failure(setupFailure)) }
            return
        }
        var headers: HTTPHeaders = [:]
        if let token { headers.add("X-Vault-Token", token) }
        var bytes: [UInt8]?
        if let body {
            headers.add("Content-Type", "application/json")
            bytes = body.serialized()
        }
        let request = HTTPRequest(method: method, target: "/v1/" + path, headers: headers, body: bytes)
        attempt(request, path: path, retriesLeft: settings.maxRetries, delay: .milliseconds(500), completion)
    }

    private func attempt(
        _ request: HTTPRequest, path: String, retriesLeft: Int, delay: Duration,
        _ completion: @escaping (Result<Answer, VaultError>) -> Void
    ) {
        http.request(request, timeout: Self.timeout, maxBodyBytes: 1 << 20) { [self] result in
            var failure: VaultError
            switch result {
            case .success(let response) where response.status < 500:
                let body = response.body.isEmpty ? nil : try? JSON.parse(response.body)
                return completion(.success(Answer(status: response.status, body: body)))
            case .success(let response):
                let body = try? JSON.parse(response.body)
                failure = VaultError(
                    "Vault answered \(response.status) for /v1/\(path): \(VaultAnswer.errors(in: body))",
                    status: response.status)
            case .failure(let error):
                failure = VaultError("Vault at \(settings.address.origin) could not be reached: \(error)")
            }
            guard retriesLeft > 0 else { return completion(.failure(failure)) }
            let retry = LoopBound(
                { [self] in attempt(request, path: path, retriesLeft: retriesLeft - 1, delay: delay * 2, completion) },
                loop: loop)
            _ = loop.schedule(after: delay) { retry.value() }
        }
    }

    func close() { http.close() }
}
