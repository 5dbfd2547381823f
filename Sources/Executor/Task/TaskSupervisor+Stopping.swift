import EventLoop

/// The engine calls that end a container, each feeding its outcome back to the lifecycle.
extension TaskSupervisor {
    func killContainer(_ containerID: String) {
        Log.info("Killing container \(containerID.prefix(12)).")
        engine.killContainer(id: containerID) { [self] result in
            switch result {
            case .success: handle(.killed)
            case .failure(let error):
                Log.error("Killing container \(containerID.prefix(12)) failed: \(error)")
                handle(.killFailed(error))
            }
        }
    }

    /// A failed removal is logged and the task finishes anyway: nothing else can be done about it here.
    func removeContainer(_ containerID: String) {
        engine.removeContainer(id: containerID) { [self] result in
            if case .failure(let error) = result {
                Log.warning("Removing container \(containerID.prefix(12)) failed: \(error)")
            } else {
                Log.info("Removed container \(containerID.prefix(12)).")
            }
            handle(.removed)
        }
    }
}
