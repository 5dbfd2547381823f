import EventLoop

/// Which output stream a simulated container's bytes belong to (the log frame's stream byte).
public enum SimulatedDockerOutputStream: UInt8, Sendable {
    case stdout = 1
    case stderr = 2
}

/// What a simulated container was created with, for a lifetime rule to decide on.
public struct SimulatedDockerContainerConfig: Sendable {
    public var name: String
    public var image: String
    public var command: [String]
    public var labels: [String: String]
    public var environment: [String]
    public var tty: Bool
}

/// How a simulated container's process behaves: what it prints when it starts, whether it exits by itself, and
/// what SIGTERM does to it.
public struct SimulatedDockerLifetime: Sendable {
    /// Written to the log as the process starts.
    public var output: [(SimulatedDockerOutputStream, String)]
    /// Exits by itself this long after its start, with `exitCode`; nil: runs until stopped or killed.
    public var exitsAfter: Duration?
    public var exitCode: Int
    /// The code it exits with on SIGTERM; nil ignores SIGTERM, as a PID 1 without a handler does (`sleep`): a stop
    /// then waits its whole timeout and kills (137).
    public var exitCodeOnTerm: Int?

    public init(
        output: [(SimulatedDockerOutputStream, String)] = [], exitsAfter: Duration? = nil, exitCode: Int = 0,
        exitCodeOnTerm: Int? = nil
    ) {
        self.output = output
        self.exitsAfter = exitsAfter
        self.exitCode = exitCode
        self.exitCodeOnTerm = exitCodeOnTerm
    }

    /// Runs until stopped or killed and ignores SIGTERM: the density benchmark's `sleep 100000`.
    public static let runsUntilStopped = SimulatedDockerLifetime()
}

/// One container of the simulated engine: a record, no process. Confined to the engine's loop.
final class SimulatedDockerContainer: @unchecked Sendable {
    // @unchecked: touched on the engine's loop only.
    enum Status: String {
        case created, running, exited
    }

    /// One logged write: Docker keeps each with the time it was read.
    struct OutputRecord {
        var stream: SimulatedDockerOutputStream
        var bytes: [UInt8]
        var nanosecondsSinceEpoch: Int64
    }

    let id: String
    let config: SimulatedDockerContainerConfig
    /// The create body as sent, for inspect's `HostConfig` and for tests.
    let body: JSONValue
    let created = SidecarTimestamp.now()
    let lifetime: SimulatedDockerLifetime
    var status = Status.created
    var pid: Int32 = 0
    var exitCode = 0
    var startedAt: SidecarTimestamp?
    var finishedAt: SidecarTimestamp?
    var ipAddress = ""
    var output: [OutputRecord] = []
    var outputBytes = 0
    /// Exchanges answered when the process exits (`wait?condition=next-exit|not-running`).
    var exitWaiters: [SimulatedDockerExchange] = []
    /// Exchanges answered when the container is removed (`wait?condition=removed`).
    var removalWaiters: [SimulatedDockerExchange] = []
    /// Open `logs?follow=1` streams.
    var logFollowers: [(exchange: SimulatedDockerExchange, timestamps: Bool)] = []
    /// Stop calls answered once the process is dead.
    var stopCallers: [SimulatedDockerExchange] = []
    /// The lifetime's own exit and a stop's kill after its timeout.
    var timers: [ScheduledTimer] = []

    /// Output kept for `logs` beyond this is dropped from the front (the json-file driver rotates similarly).
    static let maxKeptOutput = 1 << 20

    init(id: String, config: SimulatedDockerContainerConfig, body: JSONValue, lifetime: SimulatedDockerLifetime) {
        self.id = id
        self.config = config
        self.body = body
        self.lifetime = lifetime
    }

    var name: String { config.name }
    var isRunning: Bool { status == .running }

    func keep(_ record: OutputRecord) {
        output.append(record)
        outputBytes += record.bytes.count
        while outputBytes > Self.maxKeptOutput, !output.isEmpty {
            outputBytes -= output.removeFirst().bytes.count
        }
    }

    func cancelTimers() {
        for timer in timers { timer.cancel() }
        timers = []
    }

    /// A log record as the stream carries it: raw for a TTY, else an 8-byte frame header and the payload.
    func frame(_ record: OutputRecord, timestamps: Bool) -> [UInt8] {
        var payload = record.bytes
        if timestamps {
            payload =
                Array((SidecarTimestamp(nanosecondsSinceEpoch: record.nanosecondsSinceEpoch).description + " ").utf8)
                + payload
        }
        if config.tty { return payload }
        let length = UInt32(payload.count)
        return [record.stream.rawValue, 0, 0, 0]
            + [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            + payload
    }
}
