/// A connected byte stream on the event loop: a plain socket (`StreamSocket`) or TLS over one (`TLSStream`). The
/// HTTP connection speaks to either through this, so https needs nothing of HTTP's own code.
///
/// Same contract as `StreamSocket`: confined to the loop, `onData` views are valid only during the call, `onClose`
/// fires exactly once and nothing after it, `write` never calls back synchronously.
public protocol ByteStream: AnyObject {
    var onData: ((UnsafeRawBufferPointer) -> Void)? { get set }
    var onClose: ((SocketCloseReason) -> Void)? { get set }
    func write(_ bytes: [UInt8])
    func close()
}

extension StreamSocket: ByteStream {}
