import EventLoop

/// The one place a task is wired together: what every task of the process shares, built once at start-up (the
/// engine client for DOCKER_HOST, the registry logins from the Docker config files, host facts, and how a task's
/// health is checked), and a `TaskSupervisor` per task made from it. Both program modes (the executor, `run-task`)
/// get their supervisors here.
struct TaskFactory {
    let loop: EventLoop
    let client: DockerClient
    /// What supervisors talk to: the client, wrapped to add SIDECAR_SEEDS when EXECUTOR_SEED_SIDECAR is on.
    let engine: any DockerEngine
    /// Every field but the per-framework `sendsKillingState`.
    var settings: TaskSupervisor.Settings
    let logSink: any ContainerLogSink
    /// The health checking of a task, from its labels: Sidecar's unless `SidecarDiscover=false` turns it off.
    let healthCheckingForLabels: ([String: String]) -> any TaskHealthChecking

    /// Reads DOCKER_HOST and the Docker config files from `environment`. A config file that cannot be used is
    /// logged and passed over for the next one, as in the original; an unusable DOCKER_HOST is an error.
    /// `healthChecking` defaults to Sidecar's, as `makeHealthChecking(for:settings:loop:)` decides per task.
    static func make(
        loop: EventLoop,
        settings: ExecutorSettings,
        sandboxDirectory: String,
        environment: [String: String],
        logSink: any ContainerLogSink,
        healthChecking: (([String: String]) -> any TaskHealthChecking)? = nil,
        secrets: SecretResolver = SecretResolver(session: nil)
    ) throws(DockerError) -> TaskFactory {
        let (endpoint, tlsSettings) = try DockerHost.connection(environment: environment)
        // Made here, at start-up: the only moment OpenSSL is loaded for Docker, and only when DOCKER_TLS_VERIFY is set.
        var tls: TLSContext?
        if let tlsSettings {
            do {
                tls = try TLSContext.make(tlsSettings)
            } catch {
                throw .invalidHost("DOCKER_TLS_VERIFY is set, but TLS to the engine cannot be set up: \(error)")
            }
        }
        let loaded = RegistryCredentials.load(environment: environment)
        let credentials = loaded.credentials
        for problem in loaded.skipped { Log.warning(problem) }
        if let path = loaded.path {
            Log.info(
                "Registry logins from \(path): \(credentials.entries.map(\.serverAddress).joined(separator: ", ")).")
        }
        if let path = loaded.rootRetryPath {
            Log.info(
                "Registry logins from \(path) (HOME=/root), used when none above matches: "
                    + "\(credentials.rootRetryEntries.map(\.serverAddress).joined(separator: ", ")).")
        }
        var supervisorSettings = TaskSupervisor.Settings(
            executor: settings, sandboxDirectory: sandboxDirectory, hostCPUCount: Posix.onlineProcessorCount(),
            credentials: credentials)
        supervisorSettings.secrets = secrets
        let client = DockerClient(endpoint: endpoint, loop: loop, tls: tls)
        var engine: any DockerEngine = client
        if settings.seedSidecar {
            let agentEndpoint = environment["MESOS_AGENT_ENDPOINT"] ?? ""
            engine = SidecarSeedingEngine(wrapping: client) {
                SidecarSeedLookup(
                    loop: loop, agentEndpoint: agentEndpoint, masterPort: settings.mesosMasterPort,
                    timeout: settings.httpTimeout)
            }
        }
        let sidecarHealthChecking = { (labels: [String: String]) in
            makeHealthChecking(for: labels, settings: settings, loop: loop)
        }
        return TaskFactory(
            loop: loop, client: client, engine: engine, settings: supervisorSettings, logSink: logSink,
            healthCheckingForLabels: healthChecking ?? sidecarHealthChecking)
    }

    /// A supervisor for one task. Call on the loop.
    func makeSupervisor(
        reporter: any StatusReporter,
        sendsKillingState: Bool,
        onFinished: @escaping () -> Void
    ) -> TaskSupervisor {
        var settings = settings
        settings.sendsKillingState = sendsKillingState
        return TaskSupervisor(
            settings: settings, loop: loop, engine: engine, reporter: reporter, logSink: logSink,
            makeHealthChecking: healthCheckingForLabels, onFinished: onFinished)
    }
}
