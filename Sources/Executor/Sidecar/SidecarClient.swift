import EventLoop

/// Sidecar over HTTP: the real `HealthSource`.
///
/// A poll is `GET EXECUTOR_SIDECAR_URL`, the state document of the whole cluster, unless the task names its service:
/// with a service name (the `ServiceName` label, under which Sidecar's Docker discovery lists a container) and a host
/// (TASK_HOST), a poll first asks `GET <origin>/api/services/<name>.json`, the few kilobytes listing that name's
/// instances, and falls back to the state document in the same poll when the instance is not listed there. When the
/// state document then lists the service after all (Sidecar names it otherwise, e.g. by image or a configured
/// label), every later poll reads the state document directly. `SidecarServiceDocument` says why the verdicts agree.
///
/// A drain is `POST <origin of that URL>/api/services/<id12>/drain` with an
/// empty body. Each attempt is bounded by EXECUTOR_HTTP_TIMEOUT; a failed attempt is retried up to
/// EXECUTOR_SIDECAR_RETRY_COUNT times, EXECUTOR_SIDECAR_RETRY_DELAY apart (unlike the original, there is no pause
/// after the last attempt: nobody waits for it).
///
/// What is retried follows the original. For a poll only transport failures are (no connection, timeout, reset,
/// an answer that is not HTTP); any HTTP answer ends the poll whatever its status code, because only the body
/// decides: Sidecar's 404 error JSON is then simply not the state document. A body larger than
/// `maxStateBytes` is abandoned as soon as that many bytes have arrived and is not the state document either: a
/// broken or hostile peer must not make the executor buffer megabytes of garbage. For a drain, only a 202 is
/// success; every other answer or failure is retried.
///
/// Confined to the event loop, like everything it calls.
final class SidecarClient: HealthSource, @unchecked Sendable {
    /// The largest state document read. Sidecar's whole-cluster catalog runs to a few hundred bytes per service,
    /// so this holds about ten thousand services.
    static let defaultMaxStateBytes = 4 << 20
    /// The drain answer is one short JSON sentence; its body is only quoted in logs.
    static let maxDrainAnswerBytes = 64 << 10
    /// Polls at most this far apart keep their connection open in between (HTTP keep-alive, as the original's Go
    /// client does): reusing it saves a connect, two Dispatch sources and a close per poll, and halves an executor's
    /// wake-ups (BENCHMARKS.md). Sparser polls, such as the default one every 30 s, close it after each poll: a
    /// connection that idle is not worth a socket at Sidecar for each of hundreds of executors, and would risk
    /// meeting Sidecar's own idle timeout.
    static let keepAliveLongestInterval: Duration = .seconds(10)

    private let loop: EventLoop
    private let timeout: Duration
    private let attempts: Int
    private let retryDelay: Duration
    private let transport: any SidecarTransport
    private let logger: SidecarLogger
    let maxStateBytes: Int
    /// The poll request: kept alive or not, per `keepAliveLongestInterval`.
    private let pollRequest: HTTPRequest
    /// The per-service request and the name it asks for, while polls use it.
    private var serviceRequest: (request: HTTPRequest, name: String)?
    /// Calls in progress, cancelled by `close`.
    private var calls: [ObjectIdentifier: any SidecarRequest] = [:]
    private var isClosed = false

    init(
        loop: EventLoop,
        settings: ExecutorSettings,
        transport: any SidecarTransport,
        serviceName: String? = nil,
        logger: SidecarLogger = .executorLog,
        maxStateBytes: Int = SidecarClient.defaultMaxStateBytes
    ) {
        self.logger = logger
        self.loop = loop
        self.timeout = settings.httpTimeout
        self.attempts = max(0, settings.sidecarRetryCount) + 1
        self.retryDelay = max(settings.sidecarRetryDelay, .zero)
        self.transport = transport
        self.maxStateBytes = maxStateBytes
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if settings.sidecarPollInterval > Self.keepAliveLongestInterval { headers.add("Connection", "close") }
        self.pollRequest = HTTPRequest(method: .get, target: settings.sidecarURL.target, headers: headers)
        if let serviceName, let target = SidecarServiceDocument.target(serviceName: serviceName) {
            serviceRequest = (HTTPRequest(method: .get, target: target, headers: headers), serviceName)
        }
    }

    func fetchState(
        serviceID: String,
        host: String?,
        completion: @escaping (SidecarPollResult) -> Void
    ) -> any SidecarRequest {
        guard let host, let service = serviceRequest else {
            return fetchStateDocument(serviceID: serviceID, host: host, completion: completion)
        }
        let poll = ChainedRequest()
        // Nil: the per-service document did not list the instance, so the state document decides.
        let answered = { [weak self] (result: SidecarPollResult?) in
            guard let self, !poll.isCancelled else { return }
            if let result { return completion(result) }
            poll.current = fetchStateDocument(serviceID: serviceID, host: host) { [weak self] result in
                // Listed in the state document but not under the name: Sidecar names it otherwise.
                if case .answered(.status) = result, let self, serviceRequest != nil {
                    serviceRequest = nil
                    logger.info(
                        "Sidecar lists service \(serviceID) in its state, but not as an instance of '\(service.name)':"
                            + " polling the state document from now on.")
                }
                completion(result)
            }
        }
        let first = run(completion: answered) { [transport, timeout, maxStateBytes] _, done in
            transport.send(service.request, timeout: timeout, maxBodyBytes: maxStateBytes) { result in
                switch result {
                case .success(let answer):
                    switch SidecarServiceDocument.lookup(
                        serviceID: serviceID, host: host, name: service.name, in: answer.body)
                    {
                    case .status(let status, let name):
                        done(.finished(.answered(.status(status, name: name))))
                    case .notListed:
                        done(.finished(nil))
                    }
                case .failure(.bodyTooLarge):
                    done(.finished(nil))
                case .failure(let error):
                    done(.failed(reason: error.description))
                }
            }
        } giveUp: { reason, attempts in
            .unreachable(reason: reason, attempts: attempts)
        }
        // Unless the first call already finished and started the second.
        if poll.current == nil { poll.current = first }
        return poll
    }

    /// One poll of the state document.
    private func fetchStateDocument(
        serviceID: String,
        host: String?,
        completion: @escaping (SidecarPollResult) -> Void
    ) -> any SidecarRequest {
        let request = pollRequest
        return run(completion: completion) { [transport, timeout, maxStateBytes] _, done in
            transport.send(request, timeout: timeout, maxBodyBytes: maxStateBytes) { result in
                switch result {
                case .success(let answer):
                    done(.finished(.answered(SidecarState.lookup(serviceID: serviceID, host: host, in: answer.body))))
                case .failure(.bodyTooLarge(let limit)):
                    done(.finished(.answered(.notStateDocument(.bodyTooLarge(limit: limit)))))
                case .failure(let error):
                    done(.failed(reason: error.description))
                }
            }
        } giveUp: { reason, attempts in
            .unreachable(reason: reason, attempts: attempts)
        }
    }

    func drain(serviceID: String, completion: @escaping (SidecarDrainResult) -> Void) -> any SidecarRequest {
        let request = HTTPRequest(
            method: .post, target: "/api/services/\(serviceID)/drain", headers: ["Connection": "close"], body: [])
        return run(completion: completion) { [transport, timeout] attempt, done in
            transport.send(request, timeout: timeout, maxBodyBytes: Self.maxDrainAnswerBytes) { result in
                switch result {
                case .success(let answer) where answer.status == 202:
                    done(.finished(.drained(attempts: attempt)))
                case .success(let answer):
                    done(.failed(reason: "Sidecar answered \(answer.status) \(Self.excerpt(answer.body))"))
                case .failure(let error):
                    done(.failed(reason: error.description))
                }
            }
        } giveUp: { reason, attempts in
            .failed(reason: reason, attempts: attempts)
        }
    }

    func close() {
        loop.assertOnLoop()
        isClosed = true
        let calls = self.calls.values
        self.calls = [:]
        for call in calls { call.cancel() }
        transport.close()
    }

    /// Starts a call with its retries and keeps it until it completes, so that `close` can cancel it.
    private func run<Result>(
        completion: @escaping (Result) -> Void,
        attempt: @escaping RetryingCall<Result>.Attempt,
        giveUp: @escaping (_ lastReason: String, _ attempts: Int) -> Result
    ) -> any SidecarRequest {
        loop.assertOnLoop()
        var key: ObjectIdentifier?
        let call = RetryingCall<Result>(
            loop: loop, attempts: attempts, delay: retryDelay,
            completion: { [weak self] result in
                if let key { self?.calls[key] = nil }
                completion(result)
            }, attempt: attempt, giveUp: giveUp)
        guard !isClosed else {
            call.cancel()
            return call
        }
        key = ObjectIdentifier(call)
        calls[ObjectIdentifier(call)] = call
        call.start()
        return call
    }

    /// The start of a body for a log line, as printable ASCII.
    static func excerpt(_ body: [UInt8], limit: Int = 200) -> String {
        let printable = body.prefix(limit).map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "." }
        return "'" + String(printable) + (body.count > limit ? "…'" : "'")
    }
}

/// A poll made of consecutive calls (the per-service document, then the state document): cancelling it cancels the
/// call in flight and keeps the next from starting. Confined to the loop.
private final class ChainedRequest: SidecarRequest, @unchecked Sendable {
    var current: (any SidecarRequest)?
    private(set) var isCancelled = false

    func cancel() {
        isCancelled = true
        current?.cancel()
        current = nil
    }
}

/// How `SidecarClient` sends one HTTP request to Sidecar's host and port: the event loop's HTTP client in the
/// executor (`HTTPSidecarTransport`), a script in unit tests.
protocol SidecarTransport: AnyObject {
    /// Sends `request`; the completion runs once, on the loop, with the whole response or the failure
    /// (`bodyTooLarge` as soon as the body passes `maxBodyBytes`, `timedOut` after `timeout`), unless the returned
    /// handle is cancelled first.
    func send(
        _ request: HTTPRequest,
        timeout: Duration,
        maxBodyBytes: Int,
        completion: @escaping (Result<SidecarAnswer, HTTPClientError>) -> Void
    ) -> any SidecarRequest

    /// Cancels what is in flight and closes the connections. Idempotent.
    func close()
}

/// An HTTP answer from Sidecar.
struct SidecarAnswer: Sendable, Equatable {
    var status: Int
    var body: [UInt8]
}
