import EventLoop

@testable import Executor

/// A scripted Docker engine for supervisor tests: records every call and answers at once from its knobs. The wait
/// stays pending until the test (or a stop) makes the container exit, like the real long poll.
final class FakeDockerEngine: DockerEngine, @unchecked Sendable {
    // @unchecked: used on the test's event loop only.

    enum Call: Equatable {
        case imageExists(String)
        case pull(String, credentialServer: String?)
        case create(name: String)
        case wait(String, WaitCondition)
        case cancelWait
        case start(String)
        case inspect(String)
        case logs(String, tty: Bool)
        case stop(String, grace: Duration)
        case kill(String)
        case remove(String)
    }

    final class Handle: DockerStreamHandle {
        let onCancel: () -> Void
        init(onCancel: @escaping () -> Void) { self.onCancel = onCancel }
        func cancel() { onCancel() }
    }

    static let containerID = "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc"

    private(set) var calls: [Call] = []
    private(set) var createdBodies: [JSONValue] = []
    var imagePresent = true
    var imageCheckError: DockerError?
    var pullError: DockerError?
    var createError: DockerError?
    var startError: DockerError?
    var inspectError: DockerError?
    var stopError: DockerError?
    /// The next kills fail with these, one each, in order; then kills succeed.
    var killErrors: [DockerError] = []
    var ipAddresses = ["172.31.251.7"]
    /// What the inspect says of the OOM killer.
    var oomKilled = false
    /// The status the pending wait answers with when the container is stopped; nil keeps it running.
    var exitCodeOnStop: Int? = 143
    /// Output the log stream delivers as soon as it is followed.
    var logOutput: [(DockerLogStream, [UInt8])] = []
    /// Keep the pull pending until `releasePull()`.
    var holdPull = false
    private var heldPull: (() -> Void)?
    private var pendingWait: ((Result<ContainerExit, DockerError>) -> Void)?

    func releasePull() {
        let pull = heldPull
        heldPull = nil
        pull?()
    }

    var hasPendingWait: Bool { pendingWait != nil }

    /// The container exits: the pending wait answers.
    func exit(statusCode: Int, errorMessage: String? = nil) {
        let completion = pendingWait
        pendingWait = nil
        completion?(.success(ContainerExit(statusCode: statusCode, errorMessage: errorMessage)))
    }

    /// The wait's connection breaks.
    func breakWait(_ error: DockerError) {
        let completion = pendingWait
        pendingWait = nil
        completion?(.failure(error))
    }

    func imageExists(_ image: ImageReference, completion: @escaping (Result<Bool, DockerError>) -> Void) {
        calls.append(.imageExists(image.text))
        completion(imageCheckError.map { .failure($0) } ?? .success(imagePresent))
    }

    func pullImage(
        _ image: ImageReference,
        credential: RegistryCredential?,
        completion: @escaping (Result<Void, DockerError>) -> Void
    ) {
        calls.append(.pull(image.text, credentialServer: credential?.serverAddress))
        let answer = { [pullError] in completion(pullError.map { .failure($0) } ?? .success(())) }
        if holdPull { heldPull = answer } else { answer() }
    }

    func createContainer(name: String, body: JSONValue, completion: @escaping (Result<String, DockerError>) -> Void) {
        calls.append(.create(name: name))
        createdBodies.append(body)
        completion(createError.map { .failure($0) } ?? .success(Self.containerID))
    }

    func waitForExit(
        containerID: String,
        condition: WaitCondition,
        onWaiting: @escaping () -> Void,
        completion: @escaping (Result<ContainerExit, DockerError>) -> Void
    ) -> any DockerStreamHandle {
        calls.append(.wait(containerID, condition))
        pendingWait = completion
        onWaiting()
        return Handle { [self] in
            calls.append(.cancelWait)
            pendingWait = nil
        }
    }

    func startContainer(id: String, completion: @escaping (Result<Void, DockerError>) -> Void) {
        calls.append(.start(id))
        completion(startError.map { .failure($0) } ?? .success(()))
    }

    func inspectContainer(id: String, completion: @escaping (Result<ContainerDetails, DockerError>) -> Void) {
        calls.append(.inspect(id))
        completion(
            inspectError.map { .failure($0) }
                ?? .success(ContainerDetails(id: id, ipAddresses: ipAddresses, oomKilled: oomKilled)))
    }

    func stopContainer(id: String, grace: Duration, completion: @escaping (Result<Void, DockerError>) -> Void) {
        calls.append(.stop(id, grace: grace))
        if let stopError { return completion(.failure(stopError)) }
        if let exitCodeOnStop { exit(statusCode: exitCodeOnStop) }
        completion(.success(()))
    }

    func killContainer(id: String, completion: @escaping (Result<Void, DockerError>) -> Void) {
        calls.append(.kill(id))
        if !killErrors.isEmpty { return completion(.failure(killErrors.removeFirst())) }
        exit(statusCode: 137)
        completion(.success(()))
    }

    func removeContainer(id: String, completion: @escaping (Result<Void, DockerError>) -> Void) {
        calls.append(.remove(id))
        completion(.success(()))
    }

    func followLogs(
        containerID: String,
        tty: Bool,
        since: Double?,
        onOutput: @escaping (DockerLogStream, [UInt8]) -> Void,
        onEnd: @escaping (DockerError?) -> Void
    ) -> any DockerStreamHandle {
        calls.append(.logs(containerID, tty: tty))
        for (stream, bytes) in logOutput { onOutput(stream, bytes) }
        return Handle {}
    }
}

/// Records status updates in order.
final class SupervisorStatusRecorder: StatusReporter, @unchecked Sendable {
    private(set) var updates: [TaskStatusUpdate] = []
    var states: [TaskState] { updates.map(\.state) }
    func report(_ update: TaskStatusUpdate) { updates.append(update) }
}

/// Records container output by stream.
final class ContainerLogRecorder: ContainerLogSink, @unchecked Sendable {
    private(set) var stdout: [UInt8] = []
    private(set) var stderr: [UInt8] = []
    func write(_ bytes: [UInt8], to stream: DockerLogStream) {
        if stream == .stderr { stderr += bytes } else { stdout += bytes }
    }
}

/// A health checker the test drives by hand; drains complete only when the test says so (unless `drainsAtOnce`).
final class SupervisorFakeHealth: TaskHealthChecking, @unchecked Sendable {
    enum Call: Equatable {
        case start(String)
        case drain
        case containerExited
        case stop
    }

    private(set) var calls: [Call] = []
    var drainsAtOnce = true
    private var onVerdictChange: ((Bool) -> Void)?
    private var onFailure: ((String) -> Void)?
    private var drainCompletion: (() -> Void)?

    func start(
        containerID: String,
        onVerdictChange: @escaping (_ healthy: Bool) -> Void,
        onFailure: @escaping (_ message: String) -> Void
    ) {
        calls.append(.start(containerID))
        self.onVerdictChange = onVerdictChange
        self.onFailure = onFailure
    }

    func drain(completion: @escaping () -> Void) {
        calls.append(.drain)
        if drainsAtOnce { completion() } else { drainCompletion = completion }
    }

    func containerExited() { calls.append(.containerExited) }
    func stop() { calls.append(.stop) }

    func verdict(_ healthy: Bool) { onVerdictChange?(healthy) }
    func fail(_ message: String) { onFailure?(message) }
    func finishDrain() {
        let completion = drainCompletion
        drainCompletion = nil
        completion?()
    }
}
