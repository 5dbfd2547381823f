import Dispatch
import EventLoop

/// A Docker engine without containers, for tests and benchmarks: the Engine API 1.41 calls the executor makes,
/// over a Unix socket, answered as Debian 12's dockerd 20.10 answers them (status codes, `{"message": ...}` errors,
/// framing, long polls). A container is a record whose process "runs" until it is stopped or killed, or for the
/// lifetime `lifetime` gives it; `exit(container:code:)` and `write(container:_:_:)` script it from outside.
///
/// Served from one event loop (nonblocking sockets on one serial queue), so a thousand executors with a wait and a
/// log stream each cost no thread apiece. Routes: `_ping` (GET, HEAD), `version`, image inspect and pull, container
/// create, start, wait (`next-exit`, `not-running`, `removed`), logs (follow, since, timestamps, multiplexed frames
/// or raw for a TTY), inspect, stop, kill, remove, list, and `events`. Anything else is the router's 404 `page not
/// found` (exec among them: this engine runs no processes).
///
/// Thread-safe: the controls hop onto the engine's loop; never call them from the loop itself.
public final class SimulatedDockerEngine: @unchecked Sendable {
    // @unchecked: everything mutable is touched on `loop` only.
    public static let apiVersion = "1.41"
    static let minimumAPIVersion = (1, 12)
    static let serverHeader = "Docker/20.10.24+dfsg1 (linux)"

    public let socketPath: String
    let loop: EventLoop
    private let listener: LoopUnixListener
    var images: Set<String>
    var pullable: Set<String> = []
    var containers: [String: SimulatedDockerContainer] = [:]
    var connections: [Int: SimulatedDockerConnection] = [:]
    var subscribers: [(exchange: SimulatedDockerExchange, filters: [String: [String]])] = []
    var lifetimeRule: @Sendable (SimulatedDockerContainerConfig) -> SimulatedDockerLifetime = { _ in
        .runsUntilStopped
    }
    var requestCounts: [String: Int] = [:]
    private var connectionCount = 0
    var nextPid: Int32 = 40_000
    var nextAddress = 2
    var unnamedCount = 0

    /// Listens at `socketPath` (replacing a stale socket file) with `images` present, as `docker import` left them.
    public init(socketPath: String, images: [String] = ["local/busybox:latest"]) throws(SimulatorSocketError) {
        self.socketPath = socketPath
        self.images = Set(images.map(Self.normalizedImage))
        loop = EventLoop(label: "simulated-docker-engine")
        listener = try LoopUnixListener(path: socketPath, loop: loop)
    }

    /// `unix://PATH`, for `DOCKER_HOST`.
    public var dockerHost: String { "unix://" + socketPath }

    public func start() {
        onLoop {
            listener.onConnection = { [self] socket in accept(socket) }
            listener.start()
        }
    }

    /// Stops listening and closes every connection (streams end without their terminating chunk, as when
    /// dockerd dies); the containers' records are dropped.
    public func stop() {
        onLoop {
            listener.stop()
            for connection in Array(connections.values) { connection.close() }
            for container in containers.values { container.cancelTimers() }
            containers = [:]
            subscribers = []
        }
    }

    // MARK: - Controls

    /// Makes `image` pullable: a pull of it then succeeds with a progress stream and adds it.
    public func makePullable(_ image: String) {
        onLoop { pullable.insert(Self.normalizedImage(image)) }
    }

    /// Decides every new container's behaviour (default: runs until stopped, ignoring SIGTERM).
    public func setLifetime(_ rule: @escaping @Sendable (SimulatedDockerContainerConfig) -> SimulatedDockerLifetime) {
        onLoop { lifetimeRule = rule }
    }

    /// The container's process exits by itself with `code`; false when it is unknown or not running.
    @discardableResult
    public func exit(container reference: String, code: Int) -> Bool {
        onLoop {
            guard let container = lookUp(reference), container.isRunning else { return false }
            processExited(container, code: code)
            return true
        }
    }

    /// The container's process writes `text`; false when it is unknown or not running.
    @discardableResult
    public func write(container reference: String, _ stream: SimulatedDockerOutputStream, _ text: String) -> Bool {
        onLoop {
            guard let container = lookUp(reference), container.isRunning else { return false }
            log(container, stream, Array(text.utf8))
            return true
        }
    }

    /// One container as the engine sees it now.
    public struct ContainerState: Sendable, Equatable {
        public var id: String
        public var name: String
        public var status: String
        public var exitCode: Int
        public var labels: [String: String]
        public var waiters: Int
        public var logFollowers: Int
    }

    /// Every container, by creation time.
    public var containerStates: [ContainerState] {
        onLoop {
            containers.values.sorted { $0.created < $1.created }.map { container in
                ContainerState(
                    id: container.id, name: container.name, status: container.status.rawValue,
                    exitCode: container.exitCode, labels: container.config.labels,
                    waiters: container.exitWaiters.count, logFollowers: container.logFollowers.count)
            }
        }
    }

    /// Open client connections.
    public var openConnections: Int { onLoop { connections.count } }

    /// Requests served so far by route, e.g. `POST /containers/{id}/wait`.
    public var requests: [String: Int] { onLoop { requestCounts } }

    @discardableResult
    func onLoop<T>(_ body: () -> T) -> T {
        precondition(!loop.isOnLoop, "SimulatedDockerEngine's controls must not be called on its own loop")
        return loop.queue.sync(execute: body)
    }

    // MARK: - Connections

    private func accept(_ socket: StreamSocket) {
        connectionCount += 1
        let connection = SimulatedDockerConnection(id: connectionCount, socket: socket) { [self] exchange in
            route(exchange)
        }
        connection.onClose = { [self] closed in connections[closed.id] = nil }
        connections[connection.id] = connection
    }

    /// The container an id, a unique id prefix or a name (with or without its `/`) refers to.
    func lookUp(_ reference: String) -> SimulatedDockerContainer? {
        guard !reference.isEmpty else { return nil }
        if let exact = containers[reference] { return exact }
        let name = reference.hasPrefix("/") ? String(reference.dropFirst()) : reference
        if let named = containers.values.first(where: { $0.name == name }) { return named }
        let matches = containers.values.filter { $0.id.hasPrefix(reference) }
        return matches.count == 1 ? matches[0] : nil
    }

    /// `busybox` is `busybox:latest`; a tag or digest is kept.
    static func normalizedImage(_ image: String) -> String {
        let lastComponent = image.split(separator: "/").last ?? ""
        return lastComponent.contains(":") || image.contains("@") ? image : image + ":latest"
    }
}
