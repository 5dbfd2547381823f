extension HTTPConnection {
    /// Queues `request` and returns its handle; see `HTTPClientTask` for the callbacks and the timeout.
    @discardableResult
    public func send(
        _ request: HTTPRequest,
        timeout: Duration?,
        isStream: Bool = false,
        maxBodyBytes: Int? = nil,
        onHead: @escaping (HTTPResponseHead) -> Void,
        onBody: @escaping ([UInt8]) -> Void,
        onEnd: @escaping (Result<Void, HTTPClientError>) -> Void
    ) -> HTTPClientTask {
        let task = HTTPClientTask(
            request: request, loop: loop, timeout: timeout, isStream: isStream, maxBodyBytes: maxBodyBytes,
            onHead: onHead, onBody: onBody, onEnd: onEnd)
        enqueue(task)
        return task
    }
}
