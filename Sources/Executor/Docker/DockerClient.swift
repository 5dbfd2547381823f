import EventLoop

/// The Docker Engine API over the event loop's HTTP client: simple calls share one keep-alive connection, each long
/// poll (wait, logs, pull progress) gets a connection of its own. The API version is settled once, by `/_ping`,
/// before the first call.
///
/// Confined to the event loop, like everything that talks to the engine.
final class DockerClient: DockerEngine, @unchecked Sendable {
    // @unchecked: all mutable state is touched on the loop only.

    /// How long to wait and how often to retry; tests shorten them.
    struct Settings: Sendable {
        /// A simple call's whole exchange, and a long poll's connect plus response head. A stop adds its grace.
        var requestTimeout: Duration = .seconds(30)
        /// Attempts of the image lookup and of the pull when they fail transiently (connection, 5xx, in-stream).
        var pullAttempts = 5
        /// Wait before the second attempt; doubled after each failure (the original used 100 ms, 5 attempts).
        var pullBackoff: Duration = .milliseconds(100)
        /// One pull attempt's limit, progress stream included, so a stalled registry cannot hang a launch.
        var pullTimeout: Duration = .seconds(600)
    }

    /// An error body or a wait answer is small; more than this is not the engine talking.
    static let maxSmallBody = 64 * 1024

    let endpoint: Endpoint
    let settings: Settings
    let loop: EventLoop
    let http: HTTPClient
    private var versionPrefix: String?
    private var versionWaiters: [(Result<String, DockerError>) -> Void] = []

    /// `tls`: set when DOCKER_TLS_VERIFY asks for TLS (see `DockerHost`).
    init(endpoint: Endpoint, loop: EventLoop, settings: Settings = Settings(), tls: TLSContext? = nil) {
        self.endpoint = endpoint
        self.loop = loop
        self.settings = settings
        // Host is "docker" as the CLI sends for a Unix socket; the engine ignores it.
        http = HTTPClient(endpoint: endpoint, on: loop, hostHeader: "docker", tls: tls)
    }

    /// Closes every connection; calls in flight fail with a cancelled transport error.
    func close() {
        loop.assertOnLoop()
        http.close()
    }

    // MARK: - Version

    /// Runs `body` with the `/v1.xx` prefix, pinging the engine first if that has not succeeded yet.
    func withVersion(_ body: @escaping (Result<String, DockerError>) -> Void) {
        loop.assertOnLoop()
        if let versionPrefix { return body(.success(versionPrefix)) }
        versionWaiters.append(body)
        guard versionWaiters.count == 1 else { return }
        http.request(HTTPRequest(method: .get, target: "/_ping"), timeout: settings.requestTimeout) {
            [self] result in
            let outcome: Result<String, DockerError>
            switch result {
            case .failure(let error):
                outcome = .failure(.transport(error))
            case .success(let response) where response.status == 200:
                do throws(DockerError) {
                    let version = try DockerAPI.negotiate(serverVersion: response.head.headers["Api-Version"])
                    Log.info(
                        "Docker engine at \(endpoint) speaks API \(response.head.headers["Api-Version"] ?? "?"); using \(version)."
                    )
                    versionPrefix = "/v\(version)"
                    outcome = .success("/v\(version)")
                } catch {
                    outcome = .failure(error)
                }
            case .success(let response):
                outcome = .failure(
                    .engine(
                        status: response.status,
                        message: DockerAPI.errorMessage(from: response.body, status: response.status)))
            }
            let waiters = versionWaiters
            versionWaiters = []
            for waiter in waiters { waiter(outcome) }
        }
    }

    // MARK: - Simple calls

    /// Sends one request under the version prefix and collects its response.
    func call(
        _ method: HTTPMethod,
        _ target: String,
        json: JSONValue? = nil,
        timeout: Duration? = nil,
        completion: @escaping (Result<HTTPResponse, DockerError>) -> Void
    ) {
        withVersion { [self] prefix in
            switch prefix {
            case .failure(let error):
                completion(.failure(error))
            case .success(let prefix):
                var headers = HTTPHeaders()
                if json != nil { headers.add("Content-Type", "application/json") }
                let request = HTTPRequest(
                    method: method, target: prefix + target, headers: headers, body: json?.serialized())
                http.request(request, timeout: timeout ?? settings.requestTimeout) { result in
                    completion(result.mapError { .transport($0) })
                }
            }
        }
    }

    /// `call`, then: one of `accepted` statuses is success, any other is the engine's error.
    func call(
        _ method: HTTPMethod,
        _ target: String,
        json: JSONValue? = nil,
        timeout: Duration? = nil,
        accepting accepted: Set<Int>,
        completion: @escaping (Result<HTTPResponse, DockerError>) -> Void
    ) {
        call(method, target, json: json, timeout: timeout) { result in
            completion(
                result.flatMap { response in
                    guard accepted.contains(response.status) else {
                        return .failure(
                            .engine(
                                status: response.status,
                                message: DockerAPI.errorMessage(from: response.body, status: response.status)))
                    }
                    return .success(response)
                })
        }
    }

    func imageExists(_ image: ImageReference, completion: @escaping (Result<Bool, DockerError>) -> Void) {
        retrying("Looking up image \(image)", completion: completion) { [self] attempt in
            call(.get, DockerAPI.imageInspect(image), accepting: [200, 404]) { result in
                attempt(result.map { $0.status == 200 })
            }
        }
    }

    func createContainer(name: String, body: JSONValue, completion: @escaping (Result<String, DockerError>) -> Void) {
        call(.post, DockerAPI.create(name: name), json: body, accepting: [201]) { result in
            completion(
                result.flatMap { response in
                    Result { () throws(DockerError) in try DockerAPI.createdID(from: response.body) }
                })
        }
    }

    func startContainer(id: String, completion: @escaping (Result<Void, DockerError>) -> Void) {
        call(.post, DockerAPI.start(id), accepting: [204, 304]) { completion($0.map { _ in () }) }
    }

    func inspectContainer(id: String, completion: @escaping (Result<ContainerDetails, DockerError>) -> Void) {
        call(.get, DockerAPI.inspect(id), accepting: [200]) { result in
            completion(
                result.flatMap { response in
                    Result { () throws(DockerError) in try DockerAPI.details(from: response.body) }
                })
        }
    }

    func stopContainer(id: String, grace: Duration, completion: @escaping (Result<Void, DockerError>) -> Void) {
        // The engine answers when the container is dead, up to the grace period later.
        let timeout = settings.requestTimeout + .seconds(DockerAPI.wholeSecondsRoundingUp(grace))
        call(.post, DockerAPI.stop(id, grace: grace), timeout: timeout, accepting: [204, 304]) {
            completion($0.map { _ in () })
        }
    }

    func killContainer(id: String, completion: @escaping (Result<Void, DockerError>) -> Void) {
        // 409: it is not running, which is what a kill wants.
        call(.post, DockerAPI.kill(id), accepting: [204, 409]) { completion($0.map { _ in () }) }
    }

    func removeContainer(id: String, completion: @escaping (Result<Void, DockerError>) -> Void) {
        // 404: already gone.
        call(.delete, DockerAPI.remove(id), accepting: [204, 404]) { completion($0.map { _ in () }) }
    }

    // MARK: - Retries

    /// Runs `operation` until it succeeds, fails for good, or has failed transiently `pullAttempts` times, waiting
    /// `pullBackoff` (doubling) between attempts.
    func retrying<Value>(
        _ what: String,
        attempt number: Int = 1,
        backoff: Duration? = nil,
        completion: @escaping (Result<Value, DockerError>) -> Void,
        operation: @escaping (_ attempt: @escaping (Result<Value, DockerError>) -> Void) -> Void
    ) {
        operation { [self] result in
            guard case .failure(let error) = result, error.isTransient, number < settings.pullAttempts else {
                return completion(result)
            }
            let delay = backoff ?? settings.pullBackoff
            Log.warning(
                "\(what) failed (attempt \(number) of \(settings.pullAttempts)): \(error); retrying in \(delay.shortDescription)."
            )
            let retry = LoopBound(
                { [self] in
                    retrying(
                        what, attempt: number + 1, backoff: delay * 2, completion: completion, operation: operation)
                }, loop: loop)
            _ = loop.schedule(after: delay) { retry.value() }
        }
    }
}
