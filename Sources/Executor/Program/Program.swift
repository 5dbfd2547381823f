import EventLoop

/// What every mode of the program shares: usage, logging set-up, start-up checks.
enum Program {
    static let usage = """
        sidecar-executor \(executorVersion): a Mesos executor that runs each task as a Docker container
        and fails it fast when Sidecar finds its service unhealthy.

        Usage:
          sidecar-executor                    run as a Mesos executor (the agent starts it through executor.sh)
          sidecar-executor run-task FILE.json run one TaskInfo (Mesos JSON, or a LAUNCH event) against Docker
                                              and Sidecar without a Mesos agent, printing each status update
                                              as a JSON line; Ctrl-C kills the task
          sidecar-executor --help             print this text
          sidecar-executor --version          print the version

        Settings come from EXECUTOR_* environment variables (see the README); the Mesos agent provides MESOS_*.

        """

    /// The original's `executor.sh` passed `-logtostderr=true` and a run of spaces; deployments that still pass
    /// them keep working.
    static func isLegacyWrapperArgument(_ argument: String) -> Bool {
        argument.hasPrefix("-logtostderr") || argument.allSatisfy { $0 == " " }
    }

    /// Log lines go to stderr (the sandbox's `stderr` file), timestamped with the wall clock.
    static func configureLogging() {
        Log.sink = { StandardStreams.write($0, to: .stderr) }
        Log.clock = { WallClock.now() }
    }

    /// Parses `EXECUTOR_*`, applying `EXECUTOR_DEBUG` to the log and logging the warnings (typos, unimplemented
    /// settings of the original).
    static func parseSettings(_ environment: [String: String]) -> Result<ExecutorSettings, SettingsError> {
        do {
            let parsed = try ExecutorSettings.parse(environment: environment)
            if parsed.settings.debug { Log.minimumLevel = .debug }
            for warning in parsed.warnings { Log.warning(warning) }
            return .success(parsed.settings)
        } catch {
            return .failure(error)
        }
    }

    /// Prints a start-up problem and exits 1 (the status operators and the agent read as "misconfigured").
    /// Takes the finished message rather than a generic value: see `Log.error`.
    static func fail(_ problem: String) -> Never {
        Log.error(problem)
        ProcessOutputs.exit(1)
    }
}
