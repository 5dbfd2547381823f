import EventLoop

extension TaskSupervisor {
    /// What the supervisor needs besides the task.
    struct Settings: Sendable {
        var executor: ExecutorSettings
        /// MESOS_DIRECTORY: the sandbox on the host, mounted into the container.
        var sandboxDirectory: String
        var hostCPUCount: Int = 1
        /// The framework has the TASK_KILLING_STATE capability.
        var sendsKillingState = false
        var credentials = RegistryCredentials()
        /// The first pause before re-registering a broken wait; doubled for each further one (at most 8 s).
        var waitRetryDelay: Duration = .milliseconds(500)
        /// The first pause before another SIGKILL when the engine failed to stop and then to kill the container.
        var killRetryDelay: Duration = .seconds(1)
        /// Set `ps`'s title to the container and image once the container exists (the executor process only).
        var setsProcessTitle = false
        /// The process's outputs (the log relay copies its records to stdout).
        var outputs: ProcessOutputs?
        /// Resolves `vault://` environment values just before the create (without Vault, each fails the task).
        var secrets = SecretResolver(session: nil)
    }
}
