import Dispatch
import EventLoop

/// The executor as Mesos runs it: subscribe to the agent, run the launched task in Docker, exit when done.
enum ExecutorMode {
    static func run(environment: [String: String]) -> Never {
        Log.info("sidecar-executor \(executorVersion) starting")
        // Both parsers run before either fails, so an operator sees every problem at once.
        let agentEnvironment: AgentEnvironment?
        var problems: [String] = []
        do {
            agentEnvironment = try AgentEnvironment.parse(environment)
        } catch {
            agentEnvironment = nil
            problems += error.problems
        }
        var settings = ExecutorSettings()
        switch Program.parseSettings(environment) {
        case .success(let parsed): settings = parsed
        case .failure(let error): problems += error.problems
        }
        var vaultSettings: VaultSettings?
        switch VaultSettings.parse(environment) {
        case .success(let parsed): vaultSettings = parsed
        case .failure(let error): problems += error.problems
        }
        guard problems.isEmpty, let agentEnvironment else {
            Program.fail(SettingsError(problems: problems).description)
        }
        for line in StartupDump.lines(environment: environment) { Log.info(line) }

        // TLS for Sidecar is set up here, before the loop runs, and only for an https URL (see SidecarTLS).
        if let failure = SidecarTLS.prepare(for: settings.sidecarURL) {
            Program.fail("EXECUTOR_SIDECAR_URL is https, but TLS cannot be set up: \(failure)")
        }
        let loop = EventLoop.onMainQueue(label: "sidecar-executor")
        let secrets = SecretResolver.make(loop: loop, settings: vaultSettings)
        let outputs = ProcessOutputs(loop: loop)
        outputs.install()
        var factory: TaskFactory
        do {
            factory = try TaskFactory.make(
                loop: loop, settings: settings, sandboxDirectory: agentEnvironment.directory, environment: environment,
                logSink: StandardStreamsLogSink(outputs: outputs), secrets: secrets)
        } catch {
            Program.fail("\(error)")
        }
        factory.settings.setsProcessTitle = true
        factory.settings.outputs = outputs
        let connection = AgentConnection(loop: loop, environment: agentEnvironment)
        let executor = MesosExecutor(
            loop: loop, connection: connection,
            makeRunner: { context in
                factory.makeSupervisor(
                    reporter: context.reporter, sendsKillingState: context.sendsKillingState,
                    onFinished: context.onFinished)
            },
            exit: { status in
                Log.info("sidecar-executor exiting with status \(status)")
                // With an AWS role: the lease and the executor's token are revoked first (at most 5 s).
                secrets.finish { ProcessOutputs.exit(status) }
            })
        // 6 min before the AWS lease ends: the clean stop of SIGUSR1 (the original signals itself), named as such
        // in the task's terminal update.
        secrets.aws?.onLeaseEnding = { [role = secrets.aws?.role ?? ""] secondsLeft in
            executor.terminate(cause: .awsLeaseEnding(role: role, secondsLeft: secondsLeft))
        }
        // SIGTERM, SIGINT and SIGHUP all mean "stop the task and go": there are no settings to reload. SIGUSR1, the
        // original's clean stop, does the same: container stopped, terminal update, exit 0.
        let signals = SignalWatcher(on: loop) { signal in
            Log.info("Received \(signal)")
            executor.terminate()
        }
        // The Vault token first (reading and writing its cache file while nothing else waits on the loop), then
        // the agent.
        loop.execute { secrets.prepare { executor.start() } }
        withExtendedLifetime(signals) { MainThreadRunLoop.run() }
    }
}
