import EventLoop

/// The Docker Engine calls the task supervisor makes, and nothing else: `DockerClient` is the real one over the
/// Engine API, tests use a scripted fake.
///
/// All calls and every callback happen on the event loop. Each completion is called exactly once, unless the
/// returned handle of a long poll is cancelled first.
protocol DockerEngine: AnyObject {
    /// Whether the engine has the image (a pull always contacts the registry, so this is asked first).
    func imageExists(_ image: ImageReference, completion: @escaping (Result<Bool, DockerError>) -> Void)
    /// Pulls the image; errors before and inside the progress stream both fail it. Transient failures are
    /// retried by the implementation.
    func pullImage(
        _ image: ImageReference,
        credential: RegistryCredential?,
        completion: @escaping (Result<Void, DockerError>) -> Void
    )
    /// Creates the container; the result is its id.
    func createContainer(name: String, body: JSONValue, completion: @escaping (Result<String, DockerError>) -> Void)
    /// Waits for the container to exit on a connection of its own. `onWaiting` runs once the engine has
    /// registered the wait (its response head arrived), so that a `start` sent afterwards cannot race it.
    func waitForExit(
        containerID: String,
        condition: WaitCondition,
        onWaiting: @escaping () -> Void,
        completion: @escaping (Result<ContainerExit, DockerError>) -> Void
    ) -> any DockerStreamHandle
    func startContainer(id: String, completion: @escaping (Result<Void, DockerError>) -> Void)
    func inspectContainer(id: String, completion: @escaping (Result<ContainerDetails, DockerError>) -> Void)
    /// SIGTERM, then SIGKILL after `grace` (rounded up to whole seconds, as the API takes); completes when the
    /// container is dead. Stopping a stopped container succeeds.
    func stopContainer(id: String, grace: Duration, completion: @escaping (Result<Void, DockerError>) -> Void)
    /// SIGKILL now.
    func killContainer(id: String, completion: @escaping (Result<Void, DockerError>) -> Void)
    /// Removes the container and its anonymous volumes, forcibly.
    func removeContainer(id: String, completion: @escaping (Result<Void, DockerError>) -> Void)
    /// Follows the container's output on a connection of its own until it exits, from its start, or with `since`
    /// (seconds since the epoch) only what the engine logged from then on: re-attaching after the stream broke (an
    /// engine restart) repeats nothing. A TTY container's output is one raw stream, reported as stdout.
    func followLogs(
        containerID: String,
        tty: Bool,
        since: Double?,
        onOutput: @escaping (DockerLogStream, [UInt8]) -> Void,
        onEnd: @escaping (DockerError?) -> Void
    ) -> any DockerStreamHandle
}

extension DockerEngine {
    /// Follows the container's output from its start.
    func followLogs(
        containerID: String,
        tty: Bool,
        onOutput: @escaping (DockerLogStream, [UInt8]) -> Void,
        onEnd: @escaping (DockerError?) -> Void
    ) -> any DockerStreamHandle {
        followLogs(containerID: containerID, tty: tty, since: nil, onOutput: onOutput, onEnd: onEnd)
    }
}

/// A long-running engine request (a wait, a log stream) that can be abandoned; no callback runs after `cancel()`.
protocol DockerStreamHandle: AnyObject {
    func cancel()
}

/// The `condition` of the Engine's wait.
enum WaitCondition: String, Sendable {
    /// The next exit from now: registered before `start`, it cannot miss a quick exit.
    case nextExit = "next-exit"
    /// Already not running counts: used to recover when a wait's connection broke.
    case notRunning = "not-running"
}

/// The wait's answer: `{"StatusCode": N, "Error": {"Message": ...} | null}`.
struct ContainerExit: Sendable, Equatable {
    var statusCode: Int
    var errorMessage: String?
}

/// What the supervisor reports from the container's inspect.
struct ContainerDetails: Sendable, Equatable {
    var id: String
    /// The container's addresses on its networks (empty with host networking).
    var ipAddresses: [String]
    /// `State.OOMKilled`: the kernel's OOM killer ended the container's process (it outgrew its memory limit).
    var oomKilled = false
    /// `State.Pid`: the container's main process on the host (0 or absent when it is not running).
    var pid: Int32 = 0
}
