import EventLoop

/// A simulated Mesos master's `/slaves` endpoint (the list of registered agents), as Mesos 1.11 answers it:
/// compact JSON `{"slaves":[{"id":…,"hostname":…,"port":5051,"pid":…,"active":true,…}],"recovered_slaves":[]}`
/// with `Content-Type: application/json`, 405 for a method other than GET or HEAD, an empty 404 for a path it
/// does not serve. Fault modes for the executor's error paths. Thread-safe; call `stop()` when done.
public final class SimulatedMesosMaster: @unchecked Sendable {
    public enum Mode: Sendable, Equatable {
        case normal
        /// Reads each request and never answers.
        case hang
        /// This status with a plain-text body, as libprocess answers an error.
        case status(Int, body: String)
        /// 200 with this body labelled `application/json`.
        case body(String)
        /// Closes each connection without an answer.
        case refuse
    }

    private let server: BlockingHTTPServer
    private let lock = ConditionLock()
    private var agentHostnames: [String]
    private var currentMode = Mode.normal
    private var served: [String] = []

    public init(agentHostnames: [String]) throws(SimulatorSocketError) {
        self.agentHostnames = agentHostnames
        server = try BlockingHTTPServer()
        server.handler = { [weak self] request, responder in
            guard let self else {
                _ = responder.respond(status: 503)
                return
            }
            self.handle(request, responder)
        }
    }

    public func start() { server.start() }
    public func stop() { server.stop() }

    /// The master's port on 127.0.0.1 (EXECUTOR_MESOS_MASTER_PORT).
    public var port: UInt16 { server.port }

    public var mode: Mode {
        get { lock.withLock { currentMode } }
        set { lock.withLock { currentMode = newValue } }
    }

    /// The request targets received, in order.
    public var requests: [String] { lock.withLock { served } }

    private func handle(_ request: HTTPServerRequest, _ responder: HTTPResponder) {
        let (mode, hostnames) = lock.withLock {
            served.append("\(request.method) \(request.target)")
            return (currentMode, agentHostnames)
        }
        switch mode {
        case .hang: return responder.stall()
        case .refuse:
            _ = responder.closeWithoutAnswer()
            return
        case .status(let status, let body):
            _ = responder.respond(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: body)
            return
        case .body(let body):
            _ = responder.respond(headers: [("Content-Type", "application/json")], body: body)
            return
        case .normal: break
        }
        guard request.target == "/slaves" || request.target == "/master/slaves" else {
            _ = responder.respond(status: 404)
            return
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            _ = responder.respond(status: 405, headers: [("Allow", "GET")])
            return
        }
        let slaves = hostnames.enumerated().map { index, hostname -> JSONValue in
            [
                "id": .string("a1b2c3d4-0000-4000-8000-00000000000\(index % 10)-S\(index)"),
                "hostname": .string(hostname), "port": 5051, "pid": .string("slave(1)@10.0.0.\(index + 1):5051"),
                "active": true, "version": "1.11.0", "attributes": [:], "resources": ["cpus": 8.0, "mem": 15360.0],
            ]
        }
        let document: JSONValue = ["slaves": .array(slaves), "recovered_slaves": []]
        _ = responder.respond(headers: [("Content-Type", "application/json")], body: document.serialized())
    }
}
