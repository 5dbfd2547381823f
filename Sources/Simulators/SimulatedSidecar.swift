/// A simulated Sidecar: its HTTP API (`/state.json`, `/api/state.json`, `/api/services/{name}.json`,
/// `POST /api/services/{id}/drain`)
/// answering byte for byte as the real one does, over a catalog the test controls, plus fault modes.
///
/// Facts it reproduces (docs/sidecar.md describes the real API): compact state JSON in Sidecar's key order; a
/// service name's instances indented as Go's MarshalIndent writes them, 404 `no instances of <name> found` for a name
/// with none;
/// drain only for services on its own host, answering 202 with an indented message; 404 JSON errors;
/// gorilla/mux's empty 405 for a wrong method and plain-text 404 for unknown paths; Go's framing, where
/// a body over 2048 bytes is sent chunked. One difference: the real drain goes through an async queue
/// and shows in the state a moment later; here the state changes before the 202 is sent.
///
/// Every control is thread-safe. Call `stop()` when done.
///
/// ```swift
/// let sidecar = try SimulatedSidecar(hostname: "node-a")
/// sidecar.setService(id: "0123456789ab", name: "web")
/// sidecar.start()
/// defer { sidecar.stop() }
/// // the executor polls http://\(sidecar.endpointString)/state.json …
/// sidecar.setStatus(id: "0123456789ab", .unhealthy)
/// sidecar.drainResponses = [500, 202]          // the first drain fails, the retry succeeds
/// ```
public final class SimulatedSidecar: @unchecked Sendable {
    /// How the simulator answers, whatever the request.
    public enum Mode: Sendable, Equatable {
        /// Answers as Sidecar does.
        case normal
        /// Reads each request and never answers.
        case hang
        /// 200 with `bytes` bytes of non-JSON text labelled `application/json`.
        case garbage(bytes: Int)
        /// This status with a Sidecar-style JSON error body.
        case status(Int)
        /// Closes every connection at once, before reading (and open keep-alive connections at their next request).
        case refuse
    }

    /// One request as the simulator saw it.
    public struct RequestRecord: Sendable, Equatable {
        public let method: String
        public let path: String
        /// When the request was complete, on the clock tests also use for other events.
        public let receivedAt: ContinuousClock.Instant
        public let connectionID: Int
    }

    /// The HTTP server underneath, for lower-level assertions (connections, malformed requests).
    public let server: BlockingHTTPServer
    private let lock = ConditionLock()
    private var catalogStorage: SidecarCatalog {
        didSet { stateBody = nil }
    }
    /// The state document as last rendered, until the catalog changes: a cluster-sized catalog renders to megabytes,
    /// and a benchmark's executors ask for it many times a second.
    private var stateBody: [UInt8]?
    private var modeStorage = Mode.normal
    private var script: [Int] = []
    private var log: [RequestRecord] = []
    private var clockStorage: @Sendable () -> SidecarTimestamp = { SidecarTimestamp.now() }

    /// Listens on 127.0.0.1 (random port) or on `unixPath`; call `start()` to serve.
    public init(hostname: String = "node-a", clusterName: String = "default", unixPath: String? = nil)
        throws(SimulatorSocketError)
    {
        server = try BlockingHTTPServer(unixPath: unixPath)
        catalogStorage = SidecarCatalog(hostname: hostname, clusterName: clusterName)
        // Weak, so that dropping the simulator stops its server (deinit) instead of leaking both.
        server.handler = { [weak self] request, responder in
            guard let self else {
                responder.closeWithoutAnswer()
                return
            }
            handle(request, responder)
        }
    }

    deinit {
        server.stop()
    }

    public func start() { server.start() }

    public func stop() { server.stop() }

    public var port: UInt16 { server.port }

    /// `127.0.0.1:PORT` or `unix://PATH`.
    public var endpointString: String { server.endpointString }

    // MARK: - Controls

    /// Sidecar's own hostname: the top-level `Hostname`, the default host of `setService`, and the only
    /// host whose services it drains.
    public var hostname: String {
        get { lock.withLock { catalogStorage.hostname } }
        set { lock.withLock { catalogStorage.hostname = newValue } }
    }

    /// The whole catalog, for assertions or wholesale replacement.
    public var catalog: SidecarCatalog {
        get { lock.withLock { catalogStorage } }
        set { lock.withLock { catalogStorage = newValue } }
    }

    /// Where `Updated`, `LastChanged` and the `Date` header take the time from; the wall clock by default.
    public var clock: @Sendable () -> SidecarTimestamp {
        get { lock.withLock { clockStorage } }
        set { lock.withLock { clockStorage = newValue } }
    }

    public var mode: Mode {
        get { lock.withLock { modeStorage } }
        set {
            lock.withLock { modeStorage = newValue }
            server.dropsNewConnections = newValue == .refuse
        }
    }

    /// Statuses for the next drain requests, consumed one per request; afterwards drains answer normally.
    /// A scripted 202 drains the service if it is local; other statuses leave the catalog alone.
    public var drainResponses: [Int] {
        get { lock.withLock { script } }
        set { lock.withLock { script = newValue } }
    }

    /// Every request received, in order (refused connections never get as far as a request); not kept
    /// while `server.keepsRequestLog` is false.
    public var requests: [RequestRecord] { lock.withLock { log } }

    /// Waits until `count` requests have arrived in total; false if `timeout` passed first.
    public func waitForRequests(count: Int, timeout: Duration = .seconds(5)) -> Bool {
        server.waitForRequests(count: count, timeout: timeout)
    }

    /// Adds or replaces a service, discovered now (by the clock). `host` defaults to `hostname`;
    /// `created` to now.
    public func setService(
        id: String, name: String, image: String = "acme/app:1.0", status: SidecarServiceStatus = .alive,
        host: String? = nil, ports: [SidecarPort] = [], created: SidecarTimestamp? = nil, proxyMode: String = "http"
    ) {
        lock.withLock {
            let now = clockStorage()
            catalogStorage.upsert(
                SidecarService(
                    id: id, name: name, image: image, created: created ?? now,
                    hostname: host ?? catalogStorage.hostname,
                    ports: ports, updated: now, proxyMode: proxyMode, status: status))
        }
    }

    /// Records a check result for `id` now; false if the service is unknown, or if it is DRAINING and
    /// `status` is ALIVE (Sidecar keeps DRAINING against healthy checks, not against failing ones).
    @discardableResult
    public func setStatus(id: String, _ status: SidecarServiceStatus) -> Bool {
        lock.withLock { catalogStorage.applyStatus(status, id: id, at: clockStorage()) }
    }

    /// Removes a service entirely, as when Sidecar expires its tombstone.
    public func removeService(id: String) {
        lock.withLock { _ = catalogStorage.remove(id: id) }
    }

    /// The service with `id` on any host.
    public func service(id: String) -> SidecarService? {
        lock.withLock { catalogStorage.service(id: id) }
    }

    /// The body `GET /state.json` returns right now.
    public var stateJSON: String { String(decoding: stateBytes, as: UTF8.self) }

    private var stateBytes: [UInt8] {
        lock.withLock {
            if let stateBody { return stateBody }
            let body = Array(catalogStorage.json.utf8)
            stateBody = body
            return body
        }
    }

    // MARK: - Serving

    private func handle(_ request: HTTPServerRequest, _ responder: HTTPResponder) {
        let record = RequestRecord(
            method: request.method, path: request.path, receivedAt: .now, connectionID: request.connectionID)
        let logging = server.keepsRequestLog
        let (mode, now) = lock.withLock {
            if logging { log.append(record) }
            return (modeStorage, clockStorage())
        }
        let answer = SidecarAnswer(responder: responder, date: now)
        // Fault modes answer every request alike, before any routing.
        switch mode {
        case .normal:
            break
        case .hang:
            responder.stall()
            return
        case .refuse:
            responder.closeWithoutAnswer()
            return
        case .garbage(let count):
            answer.send(200, json: SidecarAnswer.garbage(count: count))
            return
        case .status(let status):
            answer.sendError(status, "\(HTTPStatusReason.phrase(for: status)) - simulated")
            return
        }
        switch SidecarRoute(method: request.method, path: request.path) {
        case .state(let fileExtension):
            guard fileExtension == "json" else {
                return answer.sendError(404, "Not Found - Invalid content type extension")
            }
            answer.send(200, json: stateBytes, cors: true)
        case .service(let name, let fileExtension):
            guard fileExtension == "json" else {
                return answer.sendError(404, "Not Found - Invalid content type extension")
            }
            let (body, found) = lock.withLock {
                (catalogStorage.servicesJSON(named: name), !catalogStorage.instances(named: name).isEmpty)
            }
            guard found else { return answer.sendError(404, "no instances of \(name) found") }
            answer.send(200, json: Array(body.utf8), cors: true)
        case .drain(let id): drain(id: id, answer: answer)
        case .corsOptions: answer.send(200, headers: SidecarAnswer.corsHeaders)
        case .methodNotAllowed: answer.send(405)
        case .notFound: answer.sendNotFoundText()
        case .notSimulated:
            answer.send(
                501, headers: [("Content-Type", "text/plain; charset=utf-8")],
                body: Array("The simulated Sidecar does not implement \(request.method) \(request.path).\n".utf8))
        }
    }

    private func drain(id: String, answer: SidecarAnswer) {
        let (status, drained) = lock.withLock { () -> (Int, SidecarService?) in
            let local = catalogStorage.localService(id: id)
            let status = script.isEmpty ? (local == nil ? 404 : 202) : script.removeFirst()
            guard status == 202, local != nil else { return (status, nil) }
            catalogStorage.applyStatus(.draining, id: id, at: clockStorage())
            return (status, catalogStorage.service(id: id))
        }
        switch status {
        case 202:
            let message = "Service \(GoJSON.verbQ(drained?.name ?? "")) instance \(GoJSON.verbQ(id)) set to DRAINING"
            answer.send(202, json: Array("{\n  \"Message\": \(GoJSON.quoted(message))\n}".utf8))
        case 404: answer.sendError(404, "Not Found - Service ID \(GoJSON.verbQ(id)) not found")
        case 405: answer.send(405)
        case 500: answer.sendError(500, "Internal Server Error - Something went terribly wrong")
        default: answer.sendError(status, HTTPStatusReason.phrase(for: status))
        }
    }
}
