import EventLoop

// MARK: - Restart, framework teardown, and the agent's executor timeouts

extension SimulatedAgent {
    /// The agent process restarted with `--recover=reconnect`: the stream is gone, the executor counts as not
    /// subscribed (its calls other than SUBSCRIBE get 403 "Executor is not subscribed") and must resubscribe within
    /// `reregistrationTimeout`, or the agent destroys it and its live tasks become TASK_GONE (TASK_LOST for a
    /// framework that is not partition-aware) with REASON_EXECUTOR_REREGISTRATION_TIMEOUT.
    public func restart() {
        dropStream(.close)
        lock.withLock {
            executorSubscribed = false
            subscribeDeadline = (
                ContinuousClock.now + reregistrationTimeout, "REASON_EXECUTOR_REREGISTRATION_TIMEOUT",
                reregistrationTimeout
            )
            lock.broadcast()
        }
    }

    /// The scheduler tore the framework down: the agent sends SHUTDOWN on the stream, answers every later SUBSCRIBE
    /// with a stream carrying only SHUTDOWN, and takes updates (202) without ever acknowledging them.
    public func tearDownFramework() {
        lock.withLock {
            frameworkTerminating = true
            send(["type": "SHUTDOWN"])
            lock.broadcast()
        }
    }

    /// Applies a registration or reregistration timeout that has passed (requests do so on arrival; call it to see
    /// the consequences without one). A later `now` shows what the agent will do once that time has come, without
    /// waiting for it.
    public func checkTimeouts(at now: ContinuousClock.Instant = .now) {
        lock.withLock {
            expireOverdueExecutor(now: now)
            lock.broadcast()
        }
    }

    /// Whether the agent destroyed the executor for not (re)subscribing in time.
    public var hasRemovedExecutor: Bool {
        lock.withLock {
            expireOverdueExecutor(now: .now)
            return executorRemoved
        }
    }

    /// Under `lock`.
    func expireOverdueExecutor(now: ContinuousClock.Instant) {
        guard let deadline = subscribeDeadline, now >= deadline.instant, !executorRemoved else { return }
        subscribeDeadline = nil
        executorRemoved = true
        executorSubscribed = false
        let registration = deadline.reason == "REASON_EXECUTOR_REGISTRATION_TIMEOUT"
        let state =
            registration ? "TASK_FAILED" : capabilities.contains("PARTITION_AWARE") ? "TASK_GONE" : "TASK_LOST"
        let message =
            "Executor did not \(registration ? "register" : "reregister") within \(deadline.timeout.mesosDescription)"
        let terminal: Set<String> = [
            "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_DROPPED", "TASK_GONE",
        ]
        let queued = queuedLaunches.compactMap { $0["task_id"]?["value"]?.stringValue }
        for taskID in queued where taskStates[taskID] == nil {
            taskStates[taskID] = "TASK_STAGING"
        }
        queuedLaunches = []
        for (taskID, current) in taskStates.sorted(by: { $0.key < $1.key }) where !terminal.contains(current) {
            taskStates[taskID] = state
            agentUpdates.append([
                "task_id": ["value": .string(taskID)], "state": .string(state), "message": .string(message),
                "source": "SOURCE_AGENT", "reason": .string(deadline.reason),
            ])
        }
    }
}
