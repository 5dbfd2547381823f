import EventLoop

/// The real prober: HTTP and TCP from inside the container's network namespace (its loopback), COMMAND through
/// the engine's exec API.
///
/// Without the privilege to enter the namespace (the executor not running as root), HTTP and TCP connect to the
/// container's address instead, which reaches a server listening on all interfaces but not one bound to the
/// container's loopback; this is logged once.
final class ContainerProber: ContainerProbing, @unchecked Sendable {
    // @unchecked: touched on the loop only.
    private let loop: EventLoop
    private let exec: any DockerExecuting
    private let containerID: String
    private var namespace: NetworkNamespace?
    /// The address to connect to from the executor's own network when there is no namespace.
    private let fallbackHost: String

    init(
        loop: EventLoop, exec: any DockerExecuting, containerID: String, namespace: NetworkNamespace?,
        fallbackHost: String
    ) {
        self.loop = loop
        self.exec = exec
        self.containerID = containerID
        self.namespace = namespace
        self.fallbackHost = fallbackHost
    }

    /// Inspects the container for its process and address, then opens its network namespace.
    static func prepare(
        loop: EventLoop, engine: any DockerEngine & DockerExecuting, containerID: String,
        ready: @escaping (any ContainerProbing) -> Void
    ) {
        engine.inspectContainer(id: containerID) { result in
            var details = ContainerDetails(id: containerID, ipAddresses: [])
            switch result {
            case .success(let inspected): details = inspected
            case .failure(let error): Log.warning("Inspecting the container for its checks failed: \(error)")
            }
            let namespace = openNamespace(pid: details.pid)
            let fallback = details.ipAddresses.first ?? "127.0.0.1"
            if namespace == nil {
                Log.warning(
                    "HTTP and TCP checks connect to the container's address \(fallback) from the executor's network: "
                        + "entering the container's network namespace is not possible here.")
            }
            ready(
                ContainerProber(
                    loop: loop, exec: engine, containerID: containerID, namespace: namespace, fallbackHost: fallback))
        }
    }

    private static func openNamespace(pid: Int32) -> NetworkNamespace? {
        guard pid > 0 else { return nil }
        do {
            let namespace = try NetworkNamespace(pid: pid)
            guard namespace.canEnter() else {
                namespace.close()
                return nil
            }
            return namespace
        } catch {
            Log.warning("Opening the network namespace of process \(pid) failed: \(error)")
            return nil
        }
    }

    func run(_ probe: CheckProbe, timeout: Duration?, completion: @escaping (ProbeOutcome) -> Void)
        -> any ProbeHandle
    {
        switch probe {
        case .http(_, _, let ipv6), .tcp(_, let ipv6):
            let host = namespace == nil ? fallbackHost : (ipv6 ? "::1" : "127.0.0.1")
            // No deadline of the connect's own: the check's timeout bounds the whole probe (without one, the
            // kernel's SYN retries bound a connect), and a second timer per run would cost wake-ups.
            return NetworkProbe.start(
                probe, host: host, namespace: namespace, loop: loop, connectTimeout: nil, completion: completion)
        case .command(let command):
            let handle = exec.execute(
                containerID: containerID, command: Self.argv(command),
                environment: command.environment.map { "\($0.name)=\($0.value)" }
            ) { result in
                switch result {
                case .success(let code): completion(.exited(code: code))
                case .failure(let error): completion(.notPerformed(reason: "the engine's exec failed: \(error)"))
                }
            }
            return ExecProbeHandle(handle)
        }
    }

    func close() {
        namespace?.close()
        namespace = nil
    }

    /// `sh -c value` for a shell command, else the value and its arguments, as Mesos runs a check's command.
    static func argv(_ command: TaskInfo.Command) -> [String] {
        let value = command.value ?? ""
        return command.shell ? ["sh", "-c", value] : [value] + command.arguments
    }
}

/// An exec in progress as a probe handle.
private final class ExecProbeHandle: ProbeHandle {
    private let handle: any DockerStreamHandle
    init(_ handle: any DockerStreamHandle) { self.handle = handle }
    func cancel() { handle.cancel() }
}

extension MesosTaskChecks {
    /// The checks of `task`, nil when it asks for none. COMMAND checks need the engine's exec API; an engine
    /// without it (a test double) gets the checks' HTTP and TCP probes only through `makeProber`.
    static func make(for task: TaskInfo, loop: EventLoop, engine: any DockerEngine) -> MesosTaskChecks? {
        guard task.healthCheck != nil || task.check != nil else { return nil }
        guard let client = engine as? any DockerEngine & DockerExecuting else {
            Log.warning("The task's health check and check cannot run: the engine offers no exec.")
            return nil
        }
        return MesosTaskChecks(loop: loop, healthCheck: task.healthCheck, check: task.check) {
            containerID, ready in
            ContainerProber.prepare(loop: loop, engine: client, containerID: containerID, ready: ready)
        }
    }
}
