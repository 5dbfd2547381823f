import EventLoop

/// What every task of the executor process shares, built once at start-up: the engine client (DOCKER_HOST), the
/// registry logins (Docker config files) and host facts. The executor glue asks it for a supervisor per LAUNCH.
struct DockerTaskFactory {
    let loop: EventLoop
    let client: DockerClient
    /// What supervisors talk to: the client, wrapped to add SIDECAR_SEEDS when EXECUTOR_SEED_SIDECAR is on.
    let engine: any DockerEngine
    /// Every field but the per-framework `sendsKillingState`.
    let configuration: TaskSupervisor.Configuration
    let logSink: any ContainerLogSink

    /// Reads DOCKER_HOST and the Docker config files from `environment`. A config file that cannot be used is
    /// logged and passed over for the next one, as in the original; an unusable DOCKER_HOST is an error.
    static func make(
        loop: EventLoop,
        settings: ExecutorSettings,
        sandboxDirectory: String,
        environment: [String: String],
        logSink: any ContainerLogSink = StandardStreamsLogSink()
    ) throws(DockerError) -> DockerTaskFactory {
        let endpoint = try DockerHost.endpoint(environment: environment)
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
        let configuration = TaskSupervisor.Configuration(
            settings: settings, sandboxDirectory: sandboxDirectory, hostCPUCount: Posix.onlineProcessorCount(),
            credentials: credentials)
        let client = DockerClient(endpoint: endpoint, loop: loop)
        var engine: any DockerEngine = client
        if settings.seedSidecar {
            let agentEndpoint = environment["MESOS_AGENT_ENDPOINT"] ?? ""
            engine = SidecarSeedingEngine(wrapping: client) {
                SidecarSeedLookup(
                    loop: loop, agentEndpoint: agentEndpoint, masterPort: settings.mesosMasterPort,
                    timeout: settings.httpTimeout)
            }
        }
        return DockerTaskFactory(
            loop: loop, client: client, engine: engine, configuration: configuration, logSink: logSink)
    }

    /// A supervisor for one task. Call on the loop.
    func makeSupervisor(
        reporter: any StatusReporter,
        sendsKillingState: Bool,
        makeHealthChecking: @escaping ([String: String]) -> any TaskHealthChecking,
        onFinished: @escaping () -> Void
    ) -> TaskSupervisor {
        var configuration = configuration
        configuration.sendsKillingState = sendsKillingState
        return TaskSupervisor(
            configuration: configuration, loop: loop, engine: engine, reporter: reporter, logSink: logSink,
            makeHealthChecking: makeHealthChecking, onFinished: onFinished)
    }
}
