import Dispatch
import EventLoop
import Testing

@testable import Executor

// Test doubles shared by the Sidecar tests.

/// Runs work on an event loop from a test and waits for conditions on it. The loop's objects are only touched
/// through `sync`, so the tests need no locks.
struct LoopHarness: Sendable {
    let loop = EventLoop(label: "sidecar-tests")

    func sync<T>(_ work: () -> T) -> T {
        loop.queue.sync(execute: work)
    }

    /// Polls `condition` on the loop until it holds or a generous deadline passes; returns whether it held.
    func wait(timeout: Duration = .seconds(120), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if sync(condition) { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return sync(condition)
    }
}

/// Log lines and callbacks, recorded on the loop.
final class SidecarRecorder: @unchecked Sendable {
    // Confined to the loop, except `logger`'s writes, which also happen there.
    var verdicts: [Bool] = []
    var failures: [String] = []
    var failurePoll: Int?
    var drainCompletions = 0
    var logs: [(SidecarLogger.Level, String)] = []

    var logger: SidecarLogger {
        SidecarLogger { [self] level, message in logs.append((level, message)) }
    }

    func logCount(containing text: String) -> Int {
        logs.filter { $0.1.contains(text) }.count
    }
}

/// A scripted Sidecar: answers polls on the next loop turn from `pollResults` (the last one repeats), or holds them.
final class FakeHealthSource: HealthSource, @unchecked Sendable {
    // Confined to the loop.
    final class Request: SidecarRequest, @unchecked Sendable {
        var cancelled = false
        var answer: (() -> Void)?
        func cancel() {
            cancelled = true
            answer = nil
        }
    }

    let loop: EventLoop
    var pollResults: [SidecarPollResult]
    var drainResult = SidecarDrainResult.drained(attempts: 1)
    /// Polls wait in `heldPolls` instead of being answered; `releaseHeld` answers them.
    var holdPolls = false
    /// Drain calls are never answered (a Sidecar retrying forever), until cancelled.
    var holdDrains = false
    var fetches: [(serviceID: String, host: String?)] = []
    var drains: [String] = []
    var heldPolls: [Request] = []
    var requests: [Request] = []
    var closed = false

    init(loop: EventLoop, pollResults: [SidecarPollResult] = []) {
        self.loop = loop
        self.pollResults = pollResults
    }

    static func status(_ status: ServiceStatus) -> SidecarPollResult {
        .answered(.status(status, name: "web"))
    }

    func fetchState(
        serviceID: String,
        host: String?,
        completion: @escaping (SidecarPollResult) -> Void
    ) -> any SidecarRequest {
        fetches.append((serviceID, host))
        let result = pollResults.isEmpty ? Self.status(.alive) : pollResults.removeFirst()
        if pollResults.isEmpty { pollResults = [result] }
        let request = Request()
        request.answer = { completion(result) }
        requests.append(request)
        if holdPolls { heldPolls.append(request) } else { answerSoon(request) }
        return request
    }

    func drain(serviceID: String, completion: @escaping (SidecarDrainResult) -> Void) -> any SidecarRequest {
        drains.append(serviceID)
        let request = Request()
        let result = drainResult
        request.answer = { completion(result) }
        requests.append(request)
        if !holdDrains { answerSoon(request) }
        return request
    }

    func close() {
        closed = true
        for request in requests { request.cancel() }
    }

    func releaseHeld() {
        holdPolls = false
        let held = heldPolls
        heldPolls = []
        held.forEach(answerSoon)
    }

    private func answerSoon(_ request: Request) {
        loop.execute {
            let answer = request.answer
            request.answer = nil
            answer?()
        }
    }
}

/// A scripted transport: answers each request with the next scripted result (the last repeats) on the next loop
/// turn, or holds it when the script says nil.
final class ScriptedTransport: SidecarTransport, @unchecked Sendable {
    // Confined to the loop.
    struct Sent {
        var request: HTTPRequest
        var timeout: Duration
        var maxBodyBytes: Int
        var at: ContinuousClock.Instant
    }

    let loop: EventLoop
    var script: [Result<SidecarAnswer, HTTPClientError>?]
    var sent: [Sent] = []
    var held: [(Result<SidecarAnswer, HTTPClientError>) -> Void] = []
    var handles: [FakeHealthSource.Request] = []
    var closed = false

    init(loop: EventLoop, script: [Result<SidecarAnswer, HTTPClientError>?]) {
        self.loop = loop
        self.script = script
    }

    static func answer(_ status: Int, _ body: String) -> Result<SidecarAnswer, HTTPClientError>? {
        .success(SidecarAnswer(status: status, body: Array(body.utf8)))
    }

    func send(
        _ request: HTTPRequest,
        timeout: Duration,
        maxBodyBytes: Int,
        completion: @escaping (Result<SidecarAnswer, HTTPClientError>) -> Void
    ) -> any SidecarRequest {
        sent.append(Sent(request: request, timeout: timeout, maxBodyBytes: maxBodyBytes, at: .now))
        let next = script.count > 1 ? script.removeFirst() : script.first ?? nil
        let handle = FakeHealthSource.Request()
        handle.answer = { completion(next ?? .failure(.cancelled)) }
        handles.append(handle)
        guard next != nil else {
            held.append(completion)
            return handle
        }
        loop.execute {
            let answer = handle.answer
            handle.answer = nil
            answer?()
        }
        return handle
    }

    func close() {
        closed = true
        for handle in handles { handle.cancel() }
    }
}

/// Results collected on the loop.
final class ResultBox<Value>: @unchecked Sendable {
    // Confined to the loop.
    var values: [Value] = []
}
