import EventLoop

extension SimulatedDockerEngine {
    /// `wait?condition=`: the head at once, the body `{"Error":null,"StatusCode":N}` when the condition is met.
    func wait(_ exchange: SimulatedDockerExchange, reference: String, target: SimulatedDockerTarget) {
        guard let container = lookUp(reference) else { return notFound(exchange, reference) }
        let condition = target.query["condition"].flatMap { $0.isEmpty ? nil : $0 } ?? "not-running"
        guard ["not-running", "next-exit", "removed"].contains(condition) else {
            return exchange.respondError(status: 400, "invalid condition: \"\(condition)\"")
        }
        exchange.startStream(contentType: "application/json")
        if condition == "not-running" && !container.isRunning {
            let answer: JSONValue = ["Error": nil, "StatusCode": .int(Int64(container.exitCode))]
            exchange.sendChunk(answer.serialized() + [0x0A])
            return exchange.finish()
        }
        if condition == "removed" {
            container.removalWaiters.append(exchange)
        } else {
            container.exitWaiters.append(exchange)
        }
        exchange.onAbandon = { [weak container, weak exchange] in
            container?.exitWaiters.removeAll { $0 === exchange }
            container?.removalWaiters.removeAll { $0 === exchange }
        }
    }

    /// `logs?follow=1&stdout=1&stderr=1`: what was kept (from `since`), then, following a container that has not
    /// exited, every new write until it does. No Content-Type header, as 20.10 sends none.
    func followLogs(_ exchange: SimulatedDockerExchange, reference: String, target: SimulatedDockerTarget) {
        guard let container = lookUp(reference) else { return notFound(exchange, reference) }
        let stdout = target.flag("stdout")
        let stderr = target.flag("stderr")
        guard stdout || stderr else {
            return exchange.respondError(status: 400, "Bad parameters: you must choose at least one stream")
        }
        let since = target.query["since"].flatMap(Double.init).map { Int64($0 * 1e9) } ?? 0
        let timestamps = target.flag("timestamps")
        exchange.startStream(contentType: nil)
        for record in container.output where record.nanosecondsSinceEpoch >= since {
            guard record.stream == .stdout ? stdout : stderr else { continue }
            exchange.sendChunk(container.frame(record, timestamps: timestamps))
        }
        guard target.flag("follow"), container.status != .exited else { return exchange.finish() }
        container.logFollowers.append((exchange, timestamps))
        exchange.onAbandon = { [weak container, weak exchange] in
            container?.logFollowers.removeAll { $0.exchange === exchange }
        }
    }

    func inspect(_ exchange: SimulatedDockerExchange, reference: String) {
        guard let container = lookUp(reference) else { return notFound(exchange, reference) }
        let mode = Self.networkMode(container)
        let state: JSONValue = [
            "Status": .string(container.status.rawValue), "Running": .bool(container.isRunning), "Paused": false,
            "Restarting": false, "OOMKilled": false, "Dead": false, "Pid": .int(Int64(container.pid)),
            "ExitCode": .int(Int64(container.exitCode)), "Error": "",
            "StartedAt": .string(container.startedAt?.description ?? "0001-01-01T00:00:00Z"),
            "FinishedAt": .string(container.finishedAt?.description ?? "0001-01-01T00:00:00Z"),
        ]
        let config = container.config
        let document: JSONValue = [
            "Id": .string(container.id), "Created": .string(container.created.description),
            "Path": .string(config.command.first ?? ""),
            "Args": .array(config.command.dropFirst().map(JSONValue.string)),
            "State": state, "Image": .string("sha256:" + Self.hexDigest(of: Self.normalizedImage(config.image))),
            "Name": .string("/" + config.name), "RestartCount": 0, "Driver": "overlay2", "Platform": "linux",
            "HostConfig": container.body["HostConfig"] ?? [:],
            "Config": [
                "Hostname": .string(String(container.id.prefix(12))), "Image": .string(config.image),
                "Env": .array(config.environment.map(JSONValue.string)),
                "Cmd": .array(config.command.map(JSONValue.string)),
                "Labels": .object(
                    JSONObject(config.labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                "Tty": .bool(config.tty),
            ],
            "NetworkSettings": [
                "IPAddress": .string(container.ipAddress),
                "Networks": .object(JSONObject([(mode, ["IPAddress": .string(container.ipAddress)] as JSONValue)])),
            ],
        ]
        // The real inspect is over 5 KiB, so it always comes chunked.
        exchange.respond(status: 200, json: document, chunked: true)
    }

    /// `GET /containers/json?all=1&filters={"label":[...]}`: running ones only unless `all`.
    func list(_ exchange: SimulatedDockerExchange, target: SimulatedDockerTarget) {
        guard let filters = Self.filters(target) else {
            return exchange.respondError(status: 400, "invalid filter")
        }
        let all = target.flag("all")
        let chosen = containers.values.sorted { $0.created > $1.created }.filter { container in
            (all || container.isRunning)
                && Self.matches(filters, type: "container", action: nil, container: container)
        }
        exchange.respond(
            status: 200,
            json: .array(
                chosen.map { container in
                    [
                        "Id": .string(container.id), "Names": [.string("/" + container.name)],
                        "Image": .string(container.config.image), "State": .string(container.status.rawValue),
                        "Labels": .object(
                            JSONObject(
                                container.config.labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
                        ),
                    ]
                }))
    }

    /// `GET /events?filters=`: the head at once, then one JSON object per chunk, never ending by itself.
    func subscribe(_ exchange: SimulatedDockerExchange, target: SimulatedDockerTarget) {
        guard let filters = Self.filters(target) else {
            return exchange.respondError(status: 400, "invalid filter")
        }
        exchange.startStream(contentType: "application/json")
        subscribers.append((exchange, filters))
        exchange.onAbandon = { [weak self, weak exchange] in
            self?.subscribers.removeAll { $0.exchange === exchange }
        }
    }

    /// Sends a container event to every subscriber whose filters it passes.
    func emit(_ action: String, _ container: SimulatedDockerContainer, _ extra: [String: String] = [:]) {
        guard !subscribers.isEmpty else { return }
        let now = SidecarTimestamp.now().nanosecondsSinceEpoch
        var attributes = container.config.labels.merging(extra) { _, new in new }
        attributes["image"] = container.config.image
        attributes["name"] = container.name
        let event: JSONValue = [
            "status": .string(action), "id": .string(container.id), "from": .string(container.config.image),
            "Type": "container", "Action": .string(action),
            "Actor": [
                "ID": .string(container.id),
                "Attributes": .object(
                    JSONObject(attributes.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ],
            "scope": "local", "time": .int(now / 1_000_000_000), "timeNano": .int(now),
        ]
        let bytes = event.serialized() + [0x0A]
        for subscriber in subscribers
        where Self.matches(subscriber.filters, type: "container", action: action, container: container) {
            subscriber.exchange.sendChunk(bytes)
        }
    }

    /// The `filters` parameter: `{"name": ["value", ...]}` (or the older `{"name": {"value": true}}`); nil when
    /// it is not JSON of that shape.
    static func filters(_ target: SimulatedDockerTarget) -> [String: [String]]? {
        guard let text = target.query["filters"], !text.isEmpty else { return [:] }
        guard let document = try? JSON.parse(text), let object = document.objectValue else { return nil }
        var filters: [String: [String]] = [:]
        for (key, value) in object {
            if let list = value.arrayValue {
                filters[key] = list.compactMap(\.stringValue)
            } else if let map = value.objectValue {
                filters[key] = map.keys
            } else {
                return nil
            }
        }
        return filters
    }

    /// Every filter name must match one of its values; `label` values are `key` or `key=value`.
    static func matches(
        _ filters: [String: [String]], type: String, action: String?, container: SimulatedDockerContainer
    ) -> Bool {
        filters.allSatisfy { name, values in
            switch name {
            case "type": return values.contains(type)
            case "event": return action.map(values.contains) ?? true
            case "container", "id", "name":
                return values.contains { $0 == container.name || container.id.hasPrefix($0) }
            case "label":
                return values.allSatisfy { wanted in
                    guard let equals = wanted.firstIndex(of: "=") else { return container.config.labels[wanted] != nil }
                    return container.config.labels[String(wanted[..<equals])]
                        == String(wanted[wanted.index(after: equals)...])
                }
            default: return true
            }
        }
    }
}
