import EventLoop

// The engine calls that prepare and start the container; each answer comes back to the lifecycle as an event.
extension TaskSupervisor {
    func checkImage(_ spec: ContainerSpec) {
        engine.imageExists(spec.image) { [self] result in
            switch result {
            case .success(let present): handle(.imageChecked(present: present))
            case .failure(let error): handle(.imageCheckFailed(error))
            }
        }
    }

    func pull(_ spec: ContainerSpec) {
        let credential = settings.credentials.credential(
            for: spec.image, fallbackServer: settings.executor.dockerRepository)
        Log.info("Pulling \(spec.image)\(credential.map { " with the \($0)" } ?? " anonymously").")
        engine.pullImage(spec.image, credential: credential) { [self] result in
            switch result {
            case .success: handle(.pulled)
            case .failure(let error): handle(.pullFailed(error))
            }
        }
    }

    func create(_ spec: ContainerSpec) {
        // The resolved body goes to the engine only: `spec` keeps the vault:// references.
        settings.secrets.resolve(spec.body) { [self] resolved in
            switch resolved {
            case .failure(let error):
                handle(.createFailed(.secrets(error.message)))
            case .success(let body):
                engine.createContainer(name: spec.name, body: body) { [self] result in
                    switch result {
                    case .success(let containerID):
                        Log.info("Created container \(containerID.prefix(12)) (\(spec.name)).")
                        if settings.setsProcessTitle {
                            ProcessTitle.set("sidecar-executor \(containerID.prefix(12)) (\(spec.image.text))")
                        }
                        handle(.created(containerID: containerID))
                    case .failure(let error): handle(.createFailed(error))
                    }
                }
            }
        }
    }

    func start(_ containerID: String) {
        engine.startContainer(id: containerID) { [self] result in
            switch result {
            case .success:
                Log.info("Started container \(containerID.prefix(12)).")
                handle(.started)
            case .failure(let error): handle(.startFailed(error))
            }
        }
    }

    /// The inspect for TASK_RUNNING's container id and addresses.
    func inspect(_ containerID: String) {
        engine.inspectContainer(id: containerID) { [self] result in
            switch result {
            case .success(let details): handle(.inspected(details))
            case .failure(let error):
                Log.warning("Inspecting container \(containerID.prefix(12)) failed: \(error)")
                handle(.inspectFailed(error))
            }
        }
    }

    /// The inspect after a SIGKILL nobody here sent: did the kernel's OOM killer send it?
    func inspectExit(_ containerID: String) {
        engine.inspectContainer(id: containerID) { [self] result in
            switch result {
            case .success(let details): handle(.exitInspected(oomKilled: details.oomKilled))
            case .failure(let error):
                // Without the engine's word the exit is reported as what it looks like: a SIGKILL.
                Log.warning("Inspecting container \(containerID.prefix(12)) after its exit failed: \(error)")
                handle(.exitInspected(oomKilled: false))
            }
        }
    }
}
