import EventLoop

/// A `DockerEngine` that hands every call to `base`: a wrapper subclasses it and overrides only the calls it changes
/// (`SidecarSeedingEngine` the create; in tests, engines that time the wait or break the log follow).
class ForwardingDockerEngine: DockerEngine, @unchecked Sendable {
    // @unchecked: subclasses are used on one event loop only, like the engines they wrap.
    let base: any DockerEngine

    init(_ base: any DockerEngine) { self.base = base }

    func imageExists(_ image: ImageReference, completion: @escaping (Result<Bool, DockerError>) -> Void) {
        base.imageExists(image, completion: completion)
    }
    func pullImage(
        _ image: ImageReference, credential: RegistryCredential?,
        completion: @escaping (Result<Void, DockerError>) -> Void
    ) {
        base.pullImage(image, credential: credential, completion: completion)
    }
    func createContainer(name: String, body: JSONValue, completion: @escaping (Result<String, DockerError>) -> Void) {
        base.createContainer(name: name, body: body, completion: completion)
    }
    func waitForExit(
        containerID: String, condition: WaitCondition, onWaiting: @escaping () -> Void,
        completion: @escaping (Result<ContainerExit, DockerError>) -> Void
    ) -> any DockerStreamHandle {
        base.waitForExit(containerID: containerID, condition: condition, onWaiting: onWaiting, completion: completion)
    }
    func startContainer(id: String, completion: @escaping (Result<Void, DockerError>) -> Void) {
        base.startContainer(id: id, completion: completion)
    }
    func inspectContainer(id: String, completion: @escaping (Result<ContainerDetails, DockerError>) -> Void) {
        base.inspectContainer(id: id, completion: completion)
    }
    func stopContainer(id: String, grace: Duration, completion: @escaping (Result<Void, DockerError>) -> Void) {
        base.stopContainer(id: id, grace: grace, completion: completion)
    }
    func killContainer(id: String, completion: @escaping (Result<Void, DockerError>) -> Void) {
        base.killContainer(id: id, completion: completion)
    }
    func removeContainer(id: String, completion: @escaping (Result<Void, DockerError>) -> Void) {
        base.removeContainer(id: id, completion: completion)
    }
    func followLogs(
        containerID: String, tty: Bool, since: Double?,
        onOutput: @escaping (DockerLogStream, [UInt8]) -> Void, onEnd: @escaping (DockerError?) -> Void
    ) -> any DockerStreamHandle {
        base.followLogs(containerID: containerID, tty: tty, since: since, onOutput: onOutput, onEnd: onEnd)
    }
}
