import Dispatch
import EventLoop

/// The UDP log relay of one task (`EXECUTOR_RELAY_SYSLOG`): each line of the container's output becomes one JSON
/// record (`LogRelayRecord`), sent as one datagram to `EXECUTOR_SYSLOG_ADDR` and, with
/// `EXECUTOR_CONTAINER_LOGS_STDOUT`, written to the executor's stdout too. docs/log-relay.md has the wire format.
///
/// It never holds anything else up: it sees the output after the sandbox files got it, sends with a nonblocking
/// socket and a bounded queue (`DatagramSender`), keeps at most one unfinished line per stream, and counts what it
/// could not send (one warning at the first loss, the totals when it closes). Confined to the loop.
final class LogRelay: @unchecked Sendable {
    /// The longest line relayed as one record; a longer one is cut into several. A record must fit in one UDP
    /// datagram (65,507 bytes over IPv4), escaping included, so this is well under the original's 64 KiB line limit
    /// (whose longest lines could not be sent at all).
    static let maxLine = 16 * 1024

    let settings: LogRelaySettings
    let hostname: String
    private let loop: EventLoop
    private let sender: DatagramSender
    private let stdout: OutputWriter?
    private let clock: @Sendable () -> Double
    private var labels: [String: String] = [:]
    private var unfinished: [DockerLogStream: [UInt8]] = [:]
    private var isRelaying = false
    private var windowTimer: ScheduledTimer?
    private var warnedOfLoss = false

    private init(
        settings: LogRelaySettings, loop: EventLoop, sender: DatagramSender, stdout: OutputWriter?,
        clock: @escaping @Sendable () -> Double
    ) {
        self.settings = settings
        self.loop = loop
        self.sender = sender
        self.stdout = settings.copyToStdout ? stdout : nil
        self.clock = clock
        hostname = settings.hostname.isEmpty ? Posix.hostName() : settings.hostname
    }

    /// Dials `settings.address`: a numeric address or `localhost` at once, any other name through the resolver off
    /// the loop. `completion` runs on the loop, with the relay or the message the task fails with.
    static func open(
        settings: LogRelaySettings, loop: EventLoop, stdout: OutputWriter?,
        clock: @escaping @Sendable () -> Double = { WallClock.now() },
        completion: @escaping (Result<LogRelay, LogRelayError>) -> Void
    ) {
        let address = settings.address
        let connect: (SocketAddress) -> Void = { socketAddress in
            do {
                let sender = try DatagramSender.connect(to: socketAddress, loop: loop)
                completion(
                    .success(LogRelay(settings: settings, loop: loop, sender: sender, stdout: stdout, clock: clock)))
            } catch {
                completion(.failure(LogRelayError(address: address, reason: "\(error)")))
            }
        }
        let host: String
        let port: UInt16
        do throws(EndpointParseError) {
            guard case .tcp(let parsedHost, let parsedPort) = try Endpoint(parsing: address) else {
                return completion(.failure(LogRelayError(address: address, reason: "expected host:port")))
            }
            (host, port) = (parsedHost, parsedPort)
        } catch {
            return completion(.failure(LogRelayError(address: address, reason: "\(error)")))
        }
        if let numeric = SocketAddress(numericHost: host, port: port) {
            connect(numeric)
        } else if host.lowercased() == "localhost" {
            connect(.ipv4Loopback(port: port))
        } else {
            let complete = LoopBound(completion, loop: loop)
            let connectOnLoop = LoopBound(connect, loop: loop)
            DispatchQueue.global().async {
                let resolved = Posix.getaddrinfo(host: host, port: port)
                loop.execute {
                    switch resolved {
                    case .success(let addresses): connectOnLoop.value(addresses[0])
                    case .failure(let error):
                        complete.value(.failure(LogRelayError(address: address, reason: error.description)))
                    }
                }
            }
        }
    }

    /// With the relay turned on, `open`; otherwise nil at once.
    static func openIfEnabled(
        _ settings: LogRelaySettings, loop: EventLoop, stdout: OutputWriter?,
        completion: @escaping (Result<LogRelay?, LogRelayError>) -> Void
    ) {
        guard settings.isEnabled else { return completion(.success(nil)) }
        open(settings: settings, loop: loop, stdout: stdout) { result in
            if case .failure(let error) = result { Log.error("\(error)") }
            completion(result.map { $0 })
        }
    }

    /// The container runs: the first record names it, and a startup-only relay starts its window. The labels
    /// come from the container's create body.
    func start(containerID: String, createBody: JSONValue) {
        loop.assertOnLoop()
        guard !isRelaying, windowTimer == nil else { return }
        for (name, value) in createBody["Labels"]?.objectValue ?? [:] where settings.labels.contains(name) {
            labels[name] = value.stringValue ?? ""
        }
        isRelaying = true
        Log.info("Relaying the container's output to \(settings.address) over UDP.")
        emit("sidecar-executor starting log pump for '\(containerID.prefix(12))'", level: .info)
        if settings.startupOnly {
            windowTimer = loop.schedule(after: settings.startupTime) { [self] in
                Log.info("The startup window of the log relay (\(settings.startupTime.shortDescription)) is over.")
                stopRelaying()
            }
        }
    }

    /// Relays the complete lines of `bytes`; an unfinished line waits for the rest (at most `maxLine` bytes).
    func relay(_ bytes: [UInt8], from stream: DockerLogStream) {
        guard isRelaying else { return }
        var pending = unfinished[stream, default: []]
        pending += bytes
        var start = 0
        let newline = UInt8(ascii: "\n")
        while true {
            let searchEnd = min(pending.count, start + Self.maxLine + 1)
            if let end = pending[start..<searchEnd].firstIndex(of: newline) {
                relayLine(pending[start..<end], stream: stream)
                start = end + 1
            } else if pending.count - start >= Self.maxLine {
                relayLine(pending[start..<start + Self.maxLine], stream: stream)
                start += Self.maxLine
            } else {
                break
            }
        }
        unfinished[stream] = start == 0 ? pending : Array(pending[start...])
    }

    private func relayLine(_ line: ArraySlice<UInt8>, stream: DockerLogStream) {
        // A line scanner drops the carriage return of a CRLF ending.
        let text = String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        emit(text, level: LogRelayRecord.level(of: text, fromStderr: stream == .stderr))
    }

    private func emit(_ payload: String, level: LogRelayRecord.Level) {
        let now = Int(clock())
        let record = LogRelayRecord(
            payload: payload, level: level, hostname: hostname, labels: labels, epochSeconds: now,
            utcOffset: Posix.localUTCOffset(epochSeconds: now))
        let datagram = record.datagram
        let unsentBefore = sender.unsent
        sender.send(datagram)
        stdout?.write(datagram, from: .relayed)
        if sender.unsent > unsentBefore && !warnedOfLoss {
            warnedOfLoss = true
            let reason = sender.lastError.map { " (\($0))" } ?? " (the socket's queue is full)"
            Log.warning("The log relay could not send a record to \(settings.address)\(reason); losses are counted.")
        }
    }

    /// For tests: whether lines are relayed now, and the records sent.
    var isRelayingForTests: Bool { isRelaying }
    var sentForTests: Int { sender.sent }

    private func stopRelaying() {
        isRelaying = false
        unfinished = [:]
    }

    /// The task is over: relays the unfinished lines, logs the counts and closes the socket.
    func close() {
        loop.assertOnLoop()
        windowTimer?.cancel()
        windowTimer = nil
        if isRelaying {
            for stream in [DockerLogStream.stdout, .stderr] {
                if let rest = unfinished[stream], !rest.isEmpty { relayLine(rest[...], stream: stream) }
            }
        }
        stopRelaying()
        sender.close()
        Log.info(
            "The log relay sent \(sender.sent) record(s) to \(settings.address); \(sender.unsent) could not be sent.")
    }
}

/// Why the log relay cannot start: the task fails with this message.
struct LogRelayError: Error, Equatable, CustomStringConvertible {
    var address: String
    var reason: String

    var description: String {
        "The log relay cannot start: EXECUTOR_SYSLOG_ADDR='\(address)' cannot be dialled over UDP: \(reason)."
    }
}
