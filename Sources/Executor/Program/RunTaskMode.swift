import Dispatch
import EventLoop

/// `sidecar-executor run-task FILE.json`: one TaskInfo against Docker, Sidecar and Vault (the executor's VAULT_*
/// settings), no Mesos agent. Each status update
/// is printed to stdout as one line of TaskStatus JSON (what the agent would receive); logs go to stderr. SIGINT
/// (Ctrl-C), SIGTERM or SIGHUP kill the task as a KILL would. Exit status: 0 when the task ended TASK_FINISHED or
/// TASK_KILLED, 1 when it failed (or could not start), 2 for a usage error.
enum RunTaskMode {
    static func run(file: String, environment: [String: String]) -> Never {
        let settings: ExecutorSettings
        switch Program.parseSettings(environment) {
        case .success(let parsed): settings = parsed
        case .failure(let error): Program.fail(error.description)
        }
        // The same VAULT_* settings as the executor: `vault://` values are resolved here too, never passed on.
        let vaultSettings: VaultSettings
        switch VaultSettings.parse(environment) {
        case .success(let parsed): vaultSettings = parsed
        case .failure(let error): Program.fail(error.description)
        }
        let taskInfo = readTaskInfo(file)
        let loop = EventLoop.onMainQueue(label: "sidecar-executor.run-task")
        let secrets = SecretResolver.make(loop: loop, settings: vaultSettings)
        let outputs = ProcessOutputs(loop: loop)
        outputs.install()
        let sandbox = environment["MESOS_SANDBOX"] ?? environment["PWD"] ?? "/tmp"
        var factory: TaskFactory
        do {
            factory = try TaskFactory.make(
                loop: loop, settings: settings, sandboxDirectory: sandbox, environment: environment,
                logSink: StandardStreamsLogSink(outputs: outputs), secrets: secrets)
        } catch {
            Program.fail("\(error)")
        }
        factory.settings.outputs = outputs
        let printer = StatusLinePrinter(
            loop: loop, output: outputs.stdout, agentID: taskInfo["agent_id"]?["value"]?.stringValue)
        let supervisor = factory.makeSupervisor(
            reporter: printer, sendsKillingState: true,
            onFinished: { secrets.finish { ProcessOutputs.exit(printer.exitStatus) } })
        // No agent acknowledges anything here: the terminal update counts as acknowledged once printed.
        printer.onTerminal = { supervisor.terminalUpdateAcknowledged() }
        let signals = SignalWatcher(on: loop) { signal in
            Log.info("Received \(signal): killing the task")
            supervisor.kill(gracePeriod: nil)
        }
        secrets.aws?.onLeaseEnding = { [role = secrets.aws?.role ?? ""] secondsLeft in
            supervisor.shutdown(
                grace: settings.killTaskTimeout, cause: .awsLeaseEnding(role: role, secondsLeft: secondsLeft))
        }
        loop.execute { secrets.prepare { supervisor.launch(taskInfo: taskInfo) } }
        withExtendedLifetime(signals) { MainThreadRunLoop.run() }
    }

    /// The file's TaskInfo: a bare TaskInfo, or a LAUNCH event as the agent sends it.
    private static func readTaskInfo(_ file: String) -> JSONValue {
        let bytes: [UInt8]
        do {
            guard let read = try FileReader.read(file, maxBytes: 4 << 20) else {
                Program.fail("run-task: the file \(file) does not exist.")
            }
            bytes = read
        } catch {
            Program.fail("run-task: \(error)")
        }
        let document: JSONValue
        do {
            document = try JSON.parse(bytes)
        } catch {
            Program.fail("run-task: \(file) is not JSON: \(error)")
        }
        if document["type"]?.stringValue == "LAUNCH", let task = document["launch"]?["task"] {
            return task
        }
        return document
    }
}

/// Prints each update as the TaskStatus JSON the agent would receive, one line each. Confined to the loop.
final class StatusLinePrinter: StatusReporter, @unchecked Sendable {
    private let loop: EventLoop
    /// stdout, shared with the container's output: the status lines are the program's own and use its reserve.
    private let output: OutputWriter
    private let agentID: String?
    /// Runs (on the loop, after the report returns) once the terminal update is printed.
    var onTerminal: () -> Void = {}
    private(set) var exitStatus: Int32 = 1

    init(loop: EventLoop, output: OutputWriter, agentID: String?) {
        self.loop = loop
        self.output = output
        self.agentID = agentID
    }

    func report(_ update: TaskStatusUpdate) {
        let status = TaskStatus(
            update: update, executorID: "run-task", agentID: agentID, uuid: .random(), timestamp: WallClock.now())
        output.write(line: status.json.jsonString + "\n")
        guard update.state.isTerminal else { return }
        exitStatus = update.state == .finished || update.state == .killed ? 0 : 1
        // Deferred: the supervisor is still inside its own report call.
        loop.execute { self.onTerminal() }
    }
}
