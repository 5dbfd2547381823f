/// The body of a chunked response, written piece by piece from any thread.
///
/// Obtained from `HTTPResponder.startChunkedStream`. Each `send` is one chunk on the wire; `finish()`
/// writes the terminating `0\r\n\r\n` and `abort()` resets the connection mid-body, as a crashing peer
/// would. All methods are thread-safe and do nothing once the stream has ended.
public final class ChunkedStream: @unchecked Sendable {
    private let responder: HTTPResponder?
    private let keepAlive: Bool

    init(responder: HTTPResponder, keepAlive: Bool, isOpen: Bool) {
        self.responder = isOpen ? responder : nil
        self.keepAlive = keepAlive
    }

    /// True until the stream is finished, aborted, or its connection failed or was closed.
    public var isOpen: Bool { responder?.isStreaming ?? false }

    /// Writes `bytes` as one chunk; false when the stream is no longer open. Empty input writes nothing,
    /// since an empty chunk would end the body.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        responder?.sendChunk(bytes) ?? false
    }

    /// `send` with the UTF-8 bytes of `text`.
    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Ends the body with the terminating chunk; the connection then serves the next request.
    @discardableResult
    public func finish() -> Bool {
        responder?.finishStream(keepAlive: keepAlive) ?? false
    }

    /// Closes the connection abruptly (TCP reset) without the terminating chunk.
    @discardableResult
    public func abort() -> Bool {
        responder?.abortStream() ?? false
    }
}
