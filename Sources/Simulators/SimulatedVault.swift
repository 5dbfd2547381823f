import EventLoop

/// A simulated HashiCorp Vault for tests and the demo, served over real TLS (`TLSTerminator` in front of a
/// `BlockingHTTPServer`) with a certificate of the test CA. Its answers are `VaultState`'s; every call is recorded
/// (method, path, whether its token was live, body) for assertions.
public final class SimulatedVault: @unchecked Sendable {
    // @unchecked: mutable state is behind `lock`.

    public struct Call: Sendable, Equatable {
        public let method: String
        /// The path after /v1/, without the query.
        public let path: String
        public let status: Int
        /// The X-Vault-Token header, if any.
        public let token: String?
        public let body: String
    }

    public let server: BlockingHTTPServer
    public let terminator: TLSTerminator
    private let lock = ConditionLock()
    private var state = VaultState()
    private var calls: [Call] = []
    private var clock: @Sendable () -> Double = { WallClock.now() }

    /// Serves `certificate`/`key` (PEM files) on 127.0.0.1; the address is `address`.
    public init(certificate: String, key: String) throws {
        server = try BlockingHTTPServer()
        terminator = try TLSTerminator(certificate: certificate, key: key, backendPort: server.port)
        server.handler = { [weak self] request, responder in
            guard let self else {
                responder.respond(status: 503)
                return
            }
            let (status, body) = self.handle(request)
            let bytes = body.map { $0.serialized() } ?? []
            responder.respond(
                status: status, headers: body == nil ? [] : [("Content-Type", "application/json")], body: bytes)
        }
    }

    /// `https://127.0.0.1:PORT`, for VAULT_ADDR.
    public var address: String { "https://127.0.0.1:\(terminator.port)" }

    public func start() {
        server.start()
        terminator.start()
    }

    public func stop() {
        terminator.stop()
        server.stop()
    }

    /// Changes the data (users, secrets, roles, tokens) under the lock.
    public func configure(_ change: (inout VaultState) -> Void) { lock.withLock { change(&state) } }

    public var currentState: VaultState { lock.withLock { state } }
    public var recordedCalls: [Call] { lock.withLock { calls } }

    /// Waits until a call matching `predicate` has been recorded (true), or `timeout` passed (false).
    public func waitForCall(timeout: Duration = .seconds(30), _ predicate: @escaping (Call) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if lock.withLock({ calls.contains(where: predicate) }) { return true }
            _ = server.waitForRequests(count: server.requests.count + 1, timeout: .milliseconds(200))
        }
        return false
    }

    private func handle(_ request: HTTPServerRequest) -> (Int, JSONValue?) {
        let target = request.target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        guard target.hasPrefix("/v1/") else { return (404, ["errors": []]) }
        let path = String(target.dropFirst("/v1/".count))
        let token = request.header("X-Vault-Token")
        return lock.withLock {
            let answer = state.answer(
                method: request.method, path: path, token: token, body: request.body, now: clock())
            calls.append(
                Call(
                    method: request.method, path: path, status: answer.status, token: token,
                    body: String(decoding: request.body, as: UTF8.self)))
            return answer
        }
    }
}
