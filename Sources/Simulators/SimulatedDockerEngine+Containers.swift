import EventLoop

extension SimulatedDockerEngine {
    /// `POST /containers/create?name=`: the engine's checks in its order (content type, JSON, name, image,
    /// conflict), then a created container.
    func create(_ exchange: SimulatedDockerExchange, target: SimulatedDockerTarget) {
        let request = exchange.request
        let contentType = request.header("Content-Type") ?? ""
        if !(contentType.isEmpty && request.body.isEmpty)
            && contentType.split(separator: ";").first?.trimmingSpacesAndTabs().lowercased() != "application/json"
        {
            return exchange.respondError(
                status: 400, "Content-Type specified (\(contentType)) must be 'application/json'")
        }
        let body: JSONValue
        do {
            body = try JSON.parse(request.body)
        } catch {
            // Go's decoder: "EOF" for no body, "unexpected EOF" for a cut one.
            let message = request.body.isEmpty ? "EOF" : error.reason == .unexpectedEnd ? "unexpected EOF" : "\(error)"
            return exchange.respondError(status: 500, message)
        }
        guard body.objectValue != nil else {
            return exchange.respondError(status: 400, "Config cannot be empty in order to create a container")
        }
        var name = target.query["name"] ?? ""
        if name.hasPrefix("/") { name.removeFirst() }
        if !name.isEmpty && !Self.isValidName(name) {
            return exchange.respondError(
                status: 400, "Invalid container name (\(name)), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }
        let image = body["Image"]?.stringValue ?? ""
        guard images.contains(Self.normalizedImage(image)) else {
            return exchange.respondError(status: 404, "No such image: \(image)")
        }
        if name.isEmpty {
            unnamedCount += 1
            name = "simulated_\(unnamedCount)"
        }
        if let holder = containers.values.first(where: { $0.name == name }) {
            return exchange.respondError(
                status: 409,
                "Conflict. The container name \"/\(name)\" is already in use by container \"\(holder.id)\". You have to remove (or rename) that container to be able to reuse that name."
            )
        }
        var labels: [String: String] = [:]
        for (key, value) in body["Labels"]?.objectValue ?? [:] { labels[key] = value.stringValue ?? "" }
        let config = SimulatedDockerContainerConfig(
            name: name, image: image, command: (body["Cmd"]?.arrayValue ?? []).compactMap(\.stringValue),
            labels: labels, environment: (body["Env"]?.arrayValue ?? []).compactMap(\.stringValue),
            tty: body["Tty"]?.boolValue ?? false)
        let id = Self.hexDigest(of: "\(name) \(SidecarTimestamp.now().nanosecondsSinceEpoch) \(containers.count)")
        let container = SimulatedDockerContainer(id: id, config: config, body: body, lifetime: lifetimeRule(config))
        containers[id] = container
        emit("create", container)
        exchange.respond(status: 201, json: ["Id": .string(id), "Warnings": []])
    }

    /// `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, the engine's rule for names.
    static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        let isAlphanumeric = { (byte: UInt8) in
            SimulatorASCII.isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
        }
        return bytes.count >= 2 && isAlphanumeric(bytes[0])
            && bytes.dropFirst().allSatisfy { isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
    }

    func start(_ exchange: SimulatedDockerExchange, reference: String) {
        guard let container = lookUp(reference) else { return notFound(exchange, reference) }
        guard !container.isRunning else { return exchange.respondEmpty(status: 304) }
        container.status = .running
        nextPid += 1
        container.pid = nextPid
        container.startedAt = SidecarTimestamp.now()
        container.finishedAt = nil
        container.exitCode = 0
        if Self.networkMode(container) == "bridge" {
            nextAddress = nextAddress % 250 + 2
            container.ipAddress = "172.17.0.\(nextAddress)"
        }
        emit("start", container)
        exchange.respondEmpty(status: 204)
        for (stream, text) in container.lifetime.output { log(container, stream, Array(text.utf8)) }
        if let after = container.lifetime.exitsAfter {
            let code = container.lifetime.exitCode
            container.timers.append(
                loop.schedule(after: after) { [self] in
                    if container.isRunning { processExited(container, code: code) }
                })
        }
    }

    /// `stop?t=N`: SIGTERM, then SIGKILL after N seconds (10 by default); answered once the process is dead.
    func stop(_ exchange: SimulatedDockerExchange, reference: String, target: SimulatedDockerTarget) {
        guard let container = lookUp(reference) else { return notFound(exchange, reference) }
        var timeout = 10
        if let text = target.query["t"], !text.isEmpty {
            guard let parsed = Int(text) else {
                return exchange.respondError(status: 400, "strconv.Atoi: parsing \"\(text)\": invalid syntax")
            }
            timeout = parsed
        }
        guard container.isRunning else { return exchange.respondEmpty(status: 304) }
        container.stopCallers.append(exchange)
        exchange.onAbandon = { [weak container, weak exchange] in
            container?.stopCallers.removeAll { $0 === exchange }
        }
        signal(container, "15")
        guard container.isRunning else { return }
        container.timers.append(
            loop.schedule(after: .seconds(max(0, timeout))) { [self] in
                if container.isRunning { signal(container, "9") }
            })
    }

    func kill(_ exchange: SimulatedDockerExchange, reference: String, target: SimulatedDockerTarget) {
        guard let container = lookUp(reference) else {
            return exchange.respondError(
                status: 404, "Cannot kill container: \(reference): No such container: \(reference)")
        }
        var name = (target.query["signal"] ?? "KILL").uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        let numbers = ["KILL": "9", "TERM": "15", "INT": "2", "HUP": "1", "QUIT": "3", "USR1": "10", "USR2": "12"]
        guard let number = numbers[name] ?? (Int(name).map { _ in name }) else {
            return exchange.respondError(status: 400, "Invalid signal: \(target.query["signal"] ?? "")")
        }
        guard container.isRunning else {
            return exchange.respondError(
                status: 409, "Cannot kill container: \(reference): Container \(container.id) is not running")
        }
        signal(container, number)
        exchange.respondEmpty(status: 204)
    }

    /// `DELETE /containers/{id}?force=1&v=1`: a running container needs `force`, which kills it first.
    func remove(_ exchange: SimulatedDockerExchange, reference: String, target: SimulatedDockerTarget) {
        guard let container = lookUp(reference) else { return notFound(exchange, reference) }
        if container.isRunning {
            guard target.flag("force") else {
                return exchange.respondError(
                    status: 409,
                    "You cannot remove a running container \(container.id). Stop the container before attempting removal or force remove"
                )
            }
            signal(container, "9")
        }
        containers[container.id] = nil
        container.cancelTimers()
        emit("destroy", container)
        let answer: JSONValue = ["Error": nil, "StatusCode": .int(Int64(container.exitCode))]
        for waiter in container.removalWaiters { waiter.respond(status: 200, json: answer, chunked: true) }
        container.removalWaiters = []
        exchange.respondEmpty(status: 204)
    }

    /// Delivers a signal: 9 kills (137); 15 ends the process with its TERM code, or is ignored; others are ignored.
    func signal(_ container: SimulatedDockerContainer, _ number: String) {
        emit("kill", container, ["signal": number])
        if number == "9" {
            processExited(container, code: 137)
        } else if number == "15", let code = container.lifetime.exitCodeOnTerm {
            processExited(container, code: code)
        }
    }

    /// The process is gone: waiters get the code, log streams end, stops are answered, `die` is emitted.
    func processExited(_ container: SimulatedDockerContainer, code: Int) {
        container.status = .exited
        container.exitCode = code
        container.pid = 0
        container.ipAddress = ""
        container.finishedAt = SidecarTimestamp.now()
        container.cancelTimers()
        emit("die", container, ["exitCode": String(code)])
        let answer: JSONValue = ["Error": nil, "StatusCode": .int(Int64(code))]
        for waiter in container.exitWaiters { waiter.respond(status: 200, json: answer, chunked: true) }
        container.exitWaiters = []
        for follower in container.logFollowers { follower.exchange.finish() }
        container.logFollowers = []
        for caller in container.stopCallers { caller.respondEmpty(status: 204) }
        if !container.stopCallers.isEmpty { emit("stop", container) }
        container.stopCallers = []
    }

    /// The process wrote `bytes`: kept for later `logs` calls and sent to every follower.
    func log(_ container: SimulatedDockerContainer, _ stream: SimulatedDockerOutputStream, _ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        let record = SimulatedDockerContainer.OutputRecord(
            stream: stream, bytes: bytes, nanosecondsSinceEpoch: SidecarTimestamp.now().nanosecondsSinceEpoch)
        container.keep(record)
        for follower in container.logFollowers {
            follower.exchange.sendChunk(container.frame(record, timestamps: follower.timestamps))
        }
    }

    func notFound(_ exchange: SimulatedDockerExchange, _ reference: String) {
        exchange.respondError(status: 404, "No such container: \(reference)")
    }

    static func networkMode(_ container: SimulatedDockerContainer) -> String {
        let mode = container.body["HostConfig"]?["NetworkMode"]?.stringValue ?? ""
        return mode.isEmpty || mode == "default" ? "bridge" : mode
    }
}
