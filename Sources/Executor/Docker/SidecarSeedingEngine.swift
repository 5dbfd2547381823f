import EventLoop

/// EXECUTOR_SEED_SIDECAR: looks up the cluster's agents just before the container is created and adds
/// `SIDECAR_SEEDS=h1,h2,…` to its environment (left out when the lookup fails). Everything else goes straight to
/// the engine it wraps. Confined to the loop.
final class SidecarSeedingEngine: DockerEngine, @unchecked Sendable {
    private let engine: any DockerEngine
    private let makeLookup: () -> SidecarSeedLookup
    private var lookups: [ObjectIdentifier: SidecarSeedLookup] = [:]

    init(wrapping engine: any DockerEngine, makeLookup: @escaping () -> SidecarSeedLookup) {
        self.engine = engine
        self.makeLookup = makeLookup
    }

    func createContainer(name: String, body: JSONValue, completion: @escaping (Result<String, DockerError>) -> Void) {
        let lookup = makeLookup()
        let key = ObjectIdentifier(lookup)
        lookups[key] = lookup
        lookup.start { [self] variable in
            lookups[key] = nil
            engine.createContainer(name: name, body: Self.adding(variable, to: body), completion: completion)
        }
    }

    /// The create body with `variable` appended to `Env` (last, so it wins over an `env` parameter of that name).
    static func adding(_ variable: String?, to body: JSONValue) -> JSONValue {
        guard let variable, var object = body.objectValue else { return body }
        object["Env"] = .array((object["Env"]?.arrayValue ?? []) + [.string(variable)])
        return .object(object)
    }

    func imageExists(_ image: ImageReference, completion: @escaping (Result<Bool, DockerError>) -> Void) {
        engine.imageExists(image, completion: completion)
    }

    func pullImage(
        _ image: ImageReference, credential: RegistryCredential?,
        completion: @escaping (Result<Void, DockerError>) -> Void
    ) {
        engine.pullImage(image, credential: credential, completion: completion)
    }

    func waitForExit(
        containerID: String, condition: WaitCondition, onWaiting: @escaping () -> Void,
        completion: @escaping (Result<ContainerExit, DockerError>) -> Void
    ) -> any DockerStreamHandle {
        engine.waitForExit(containerID: containerID, condition: condition, onWaiting: onWaiting, completion: completion)
    }

    func startContainer(id: String, completion: @escaping (Result<Void, DockerError>) -> Void) {
        engine.startContainer(id: id, completion: completion)
    }

    func inspectContainer(id: String, completion: @escaping (Result<ContainerDetails, DockerError>) -> Void) {
        engine.inspectContainer(id: id, completion: completion)
    }

    func stopContainer(id: String, grace: Duration, completion: @escaping (Result<Void, DockerError>) -> Void) {
        engine.stopContainer(id: id, grace: grace, completion: completion)
    }

    func killContainer(id: String, completion: @escaping (Result<Void, DockerError>) -> Void) {
        engine.killContainer(id: id, completion: completion)
    }

    func removeContainer(id: String, completion: @escaping (Result<Void, DockerError>) -> Void) {
        engine.removeContainer(id: id, completion: completion)
    }

    func followLogs(
        containerID: String, tty: Bool, since: Double?, onOutput: @escaping (DockerLogStream, [UInt8]) -> Void,
        onEnd: @escaping (DockerError?) -> Void
    ) -> any DockerStreamHandle {
        engine.followLogs(containerID: containerID, tty: tty, since: since, onOutput: onOutput, onEnd: onEnd)
    }
}
