import EventLoop

extension SimulatedDockerEngine {
    /// Dispatches one request as the engine's router does: the version check first, then the route; unknown
    /// routes and methods get 404 `page not found`.
    func route(_ exchange: SimulatedDockerExchange) {
        let request = exchange.request
        guard let target = SimulatedDockerTarget(path: request.path, query: request.query) else {
            return exchange.respondError(status: 404, "page not found")
        }
        if let version = target.version {
            let text = "\(version.major).\(version.minor)"
            if (version.major, version.minor) > (1, 41) {
                return exchange.respondError(
                    status: 400, "client version \(text) is too new. Maximum supported API version is 1.41")
            }
            if (version.major, version.minor) < Self.minimumAPIVersion {
                return exchange.respondError(
                    status: 400,
                    "client version \(text) is too old. Minimum supported API version is 1.12, please upgrade your client to a newer version"
                )
            }
        }
        let segments = target.segments
        let method = request.method
        let routeName = Self.routeName(method: method, segments: segments)
        requestCounts[routeName, default: 0] += 1
        switch (method, segments.first, segments.count) {
        case ("GET", "_ping", 1), ("HEAD", "_ping", 1):
            ping(exchange)
        case ("GET", "version", 1):
            exchange.respond(status: 200, json: Self.versionDocument)
        case ("GET", "events", 1):
            subscribe(exchange, target: target)
        case ("POST", "images", 2) where segments[1] == "create":
            pull(exchange, target: target)
        case ("GET", "images", 3...) where segments.last == "json":
            inspectImage(exchange, name: segments[1..<(segments.count - 1)].joined(separator: "/"))
        case ("POST", "containers", 2) where segments[1] == "create":
            create(exchange, target: target)
        case ("GET", "containers", 2) where segments[1] == "json":
            list(exchange, target: target)
        case (_, "containers", 2) where method == "DELETE":
            remove(exchange, reference: segments[1], target: target)
        case (_, "containers", 3):
            containerCall(exchange, method: method, reference: segments[1], action: segments[2], target: target)
        default:
            exchange.respondError(status: 404, "page not found")
        }
    }

    private func containerCall(
        _ exchange: SimulatedDockerExchange, method: String, reference: String, action: String,
        target: SimulatedDockerTarget
    ) {
        switch (method, action) {
        case ("GET", "json"): inspect(exchange, reference: reference)
        case ("GET", "logs"): followLogs(exchange, reference: reference, target: target)
        case ("POST", "start"): start(exchange, reference: reference)
        case ("POST", "wait"): wait(exchange, reference: reference, target: target)
        case ("POST", "stop"): stop(exchange, reference: reference, target: target)
        case ("POST", "kill"): kill(exchange, reference: reference, target: target)
        default: exchange.respondError(status: 404, "page not found")
        }
    }

    /// `GET /containers/abc/wait` counts as `GET /containers/{id}/wait`: tests read how often each call came.
    static func routeName(method: String, segments: [String]) -> String {
        var shown = segments
        if shown.first == "containers", shown.count >= 2, shown[1] != "create", shown[1] != "json" { shown[1] = "{id}" }
        if shown.first == "images", shown.count >= 3 { shown = ["images", "{name}", shown.last ?? ""] }
        return "\(method) /" + shown.joined(separator: "/")
    }

    private func ping(_ exchange: SimulatedDockerExchange) {
        if exchange.request.method == "HEAD" { return exchange.respondEmpty(status: 200) }
        exchange.respond(status: 200, contentType: "text/plain; charset=utf-8", body: Array("OK".utf8))
    }

    static let versionDocument: JSONValue = [
        "Platform": ["Name": ""], "Version": "20.10.24+dfsg1", "ApiVersion": "1.41", "MinAPIVersion": "1.12",
        "GitCommit": "5d6db84", "GoVersion": "go1.19.8", "Os": "linux", "Arch": "amd64",
    ]

    // MARK: - Images

    private func inspectImage(_ exchange: SimulatedDockerExchange, name: String) {
        let image = Self.normalizedImage(name)
        guard images.contains(image) else {
            return exchange.respondError(status: 404, "no such image: \(name): No such image: \(name)")
        }
        exchange.respond(
            status: 200,
            json: [
                "Id": .string("sha256:" + Self.hexDigest(of: image)), "RepoTags": [.string(image)], "RepoDigests": [],
                "Size": 1_984_185, "Os": "linux", "Architecture": "amd64",
                "Config": ["Env": ["PATH=/bin"], "Cmd": ["/bin/sh"], "Entrypoint": nil, "Labels": nil],
            ])
    }

    private func pull(_ exchange: SimulatedDockerExchange, target: SimulatedDockerTarget) {
        guard let name = target.query["fromImage"], !name.isEmpty else {
            return exchange.respondError(status: 400, "Bad parameters: fromImage is required")
        }
        let tag = target.query["tag"].flatMap { $0.isEmpty ? nil : $0 } ?? "latest"
        let image = name.contains("@") ? name : "\(name):\(tag)"
        guard pullable.contains(image) else {
            return exchange.respondError(
                status: 404, "manifest for \(image) not found: manifest unknown: manifest unknown")
        }
        let wasPresent = images.contains(image)
        images.insert(image)
        exchange.startStream(contentType: "application/json")
        let layer = String(Self.hexDigest(of: image).prefix(12))
        let lines: [JSONValue] =
            wasPresent
            ? [["status": .string("Pulling from \(name)"), "id": .string(tag)], ["status": "Digest: sha256:0"]]
                + [["status": .string("Status: Image is up to date for \(image)")]]
            : [
                ["status": .string("Pulling from \(name)"), "id": .string(tag)],
                ["status": "Pulling fs layer", "progressDetail": [:], "id": .string(layer)],
                ["status": "Pull complete", "progressDetail": [:], "id": .string(layer)],
                ["status": .string("Status: Downloaded newer image for \(image)")],
            ]
        for line in lines { exchange.sendChunk(line.serialized() + [0x0A]) }
        exchange.finish()
    }

    /// 64 hex digits derived from `text` (FNV-1a, four ways): stable ids without a hash library.
    static func hexDigest(of text: String) -> String {
        (0..<4).map { round in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 &+ UInt64(round)
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            let digits = String(hash, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }
}
