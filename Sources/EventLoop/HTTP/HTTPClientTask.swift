/// One HTTP request as a connection runs it, and the caller's handle on it: `cancel()` it at any time.
///
/// Confined to the loop queue. The response arrives through the callbacks given at creation: `onHead` once,
/// `onBody` for each piece, then `onEnd` exactly once with success or the failure, after which nothing else
/// is called. A failure found inside a caller's own call (cancel, an invalid request) is reported on a
/// later loop turn, never from inside that call.
///
/// The timeout starts when the task is created and covers connecting, waiting for the connection and the
/// whole response; for a stream (a long poll such as Mesos SUBSCRIBE or Docker logs) it covers connecting
/// and the response head only, since the body may legitimately never end.
public final class HTTPClientTask: @unchecked Sendable {
    // @unchecked: every mutable property is only touched on the loop queue.

    public let request: HTTPRequest
    let loop: EventLoop
    let isStream: Bool
    let timeout: Duration?
    /// The largest body the task accepts before failing with `.bodyTooLarge`; nil for no limit (streams).
    let maxBodyBytes: Int?

    private var timer: ScheduledTimer?
    private var onHead: ((HTTPResponseHead) -> Void)?
    private var onBody: (([UInt8]) -> Void)?
    private var onEnd: ((Result<Void, HTTPClientError>) -> Void)?
    private var bodyBytes = 0

    /// True once `onEnd` has been called or scheduled: nothing else will be delivered.
    public private(set) var isFinished = false
    /// The request's wire form, made when the task is given to a connection and dropped once written.
    var wireBytes: [UInt8] = []
    /// The connection running (or queueing) the task, told when the task is abandoned mid-flight.
    weak var connection: HTTPConnection?
    /// How many connections the task has been given; a retry is allowed once.
    var attempts = 0
    /// Set by `HTTPClient`: runs the task again on a fresh connection (see `fail(_:retryable:)`).
    var retry: ((HTTPClientTask) -> Void)?

    init(
        request: HTTPRequest,
        loop: EventLoop,
        timeout: Duration?,
        isStream: Bool,
        maxBodyBytes: Int?,
        onHead: @escaping (HTTPResponseHead) -> Void,
        onBody: @escaping ([UInt8]) -> Void,
        onEnd: @escaping (Result<Void, HTTPClientError>) -> Void
    ) {
        loop.assertOnLoop()
        self.request = request
        self.loop = loop
        self.timeout = timeout
        self.isStream = isStream
        self.maxBodyBytes = maxBodyBytes
        self.onHead = onHead
        self.onBody = onBody
        self.onEnd = onEnd
        if let timeout {
            timer = loop.schedule(after: timeout) { [self] in abandon(because: .timedOut(after: timeout)) }
        }
    }

    /// Stops the request: no callback other than `onEnd(.failure(.cancelled))` (on a later loop turn) follows,
    /// and a connection in the middle of its response is closed. Idempotent; no-op once finished.
    public func cancel() {
        loop.assertOnLoop()
        abandon(because: .cancelled, deferred: true)
    }

    private func abandon(because error: HTTPClientError, deferred: Bool = false) {
        guard !isFinished else { return }
        let connection = self.connection
        finish(.failure(error), deferred: deferred)
        connection?.taskAbandoned(self)
    }

    func receive(_ head: HTTPResponseHead) {
        guard !isFinished else { return }
        if isStream {
            // The head arrived: from here on a stream may stay open as long as it likes.
            timer?.cancel()
            timer = nil
        }
        onHead?(head)
    }

    func receive(_ bytes: [UInt8]) {
        guard !isFinished else { return }
        bodyBytes += bytes.count
        if let maxBodyBytes, bodyBytes > maxBodyBytes {
            abandon(because: .bodyTooLarge(limit: maxBodyBytes))
            return
        }
        onBody?(bytes)
    }

    func complete() {
        finish(.success(()))
    }

    /// The connection failed the task. A `retryable` failure (the request cannot have been processed: it was
    /// never sent, or a reused keep-alive connection closed before any response byte) runs the task again on
    /// a fresh connection once, if the client allows it; anything else ends the task with `error`.
    func fail(_ error: HTTPClientError, retryable: Bool) {
        guard !isFinished else { return }
        connection = nil
        if retryable, attempts < 2, let retry {
            retry(self)
            return
        }
        finish(.failure(error), deferred: true)
    }

    private func finish(_ result: Result<Void, HTTPClientError>, deferred: Bool = false) {
        guard !isFinished else { return }
        isFinished = true
        connection = nil
        timer?.cancel()
        timer = nil
        let onEnd = self.onEnd
        // The callbacks usually capture the caller, which may hold this task: release them.
        self.onHead = nil
        self.onBody = nil
        self.onEnd = nil
        retry = nil
        if deferred {
            let bound = LoopBound(onEnd, loop: loop)
            loop.execute { bound.value?(result) }
        } else {
            onEnd?(result)
        }
    }
}

extension HTTPMethod {
    /// Methods whose repetition has the same effect as one request (RFC 9110 §9.2.2), so a request lost to a
    /// stale keep-alive connection may be sent again.
    var isIdempotent: Bool {
        switch self {
        case .get, .head, .put, .delete, .options: return true
        case .post, .patch: return false
        }
    }
}
