import EventLoop

/// EXECUTOR_SEED_SIDECAR: looks up the cluster's agents just before the container is created and adds
/// `SIDECAR_SEEDS=h1,h2,…` to its environment (left out when the lookup fails). Everything else goes straight to
/// the engine it wraps. Confined to the loop.
final class SidecarSeedingEngine: ForwardingDockerEngine, @unchecked Sendable {
    private let makeLookup: () -> SidecarSeedLookup
    private var lookups: [ObjectIdentifier: SidecarSeedLookup] = [:]

    init(wrapping engine: any DockerEngine, makeLookup: @escaping () -> SidecarSeedLookup) {
        self.makeLookup = makeLookup
        super.init(engine)
    }

    override func createContainer(
        name: String, body: JSONValue, completion: @escaping (Result<String, DockerError>) -> Void
    ) {
        let lookup = makeLookup()
        let key = ObjectIdentifier(lookup)
        lookups[key] = lookup
        lookup.start { [self] variable in
            lookups[key] = nil
            base.createContainer(name: name, body: Self.adding(variable, to: body), completion: completion)
        }
    }

    /// The create body with `variable` appended to `Env` (last, so it wins over an `env` parameter of that name).
    static func adding(_ variable: String?, to body: JSONValue) -> JSONValue {
        guard let variable, var object = body.objectValue else { return body }
        object["Env"] = .array((object["Env"]?.arrayValue ?? []) + [.string(variable)])
        return .object(object)
    }
}
