@testable import EventLoop

/// A real OpenSSL server session on two memory buffers, for tests that deliver the bytes between it and a client
/// session themselves: `receive` what the client sent, `takeOutgoing` what goes back. The same library the client
/// loads (`OpenSSLLibrary`), used as a server.
final class MemoryTLSServer {
    private let library: OpenSSLLibrary
    private let context: SSLPointer
    private let ssl: SSLPointer
    private let incoming: SSLPointer
    private let outgoing: SSLPointer
    private(set) var handshakeDone = false

    init(certificate: String, key: String) throws {
        library = try OpenSSLLibrary.shared.get()
        guard let context = library.contextNew(library.serverMethod()) else {
            throw TLSError(.configuration, "no server context")
        }
        self.context = context
        guard library.contextUseCertificateChainFile(context, certificate) == 1,
            library.contextUsePrivateKeyFile(context, key, TLSControl.fileTypePEM) == 1,
            let ssl = library.sslNew(context),
            let incoming = library.bioNew(library.bioMemoryMethod()),
            let outgoing = library.bioNew(library.bioMemoryMethod())
        else {
            library.contextFree(context)
            throw TLSError(.configuration, "the server session cannot be made from \(certificate) and \(key)")
        }
        library.sslSetBIO(ssl, incoming, outgoing)
        self.ssl = ssl
        self.incoming = incoming
        self.outgoing = outgoing
    }

    deinit {
        library.sslFree(ssl)
        library.contextFree(context)
    }

    func receive(_ bytes: ArraySlice<UInt8>) {
        let written = bytes.withUnsafeBytes { library.bioWrite(incoming, $0.baseAddress, Int32($0.count)) }
        precondition(written == bytes.count || bytes.isEmpty, "a memory buffer took only part of the bytes")
    }

    func takeOutgoing() -> [UInt8] {
        let pending = library.bioPending(outgoing)
        guard pending > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: pending)
        let read = bytes.withUnsafeMutableBytes { library.bioRead(outgoing, $0.baseAddress, Int32($0.count)) }
        return Array(bytes.prefix(Int(max(0, read))))
    }

    /// SSL_accept as far as the bytes received allow; throws when the server gives up.
    func advanceHandshake() throws {
        let result = library.sslAccept(ssl)
        if result == 1 {
            handshakeDone = true
            return
        }
        let code = library.sslGetError(ssl, result)
        guard code == TLSControl.errorWantRead || code == TLSControl.errorWantWrite else {
            throw TLSError(.protocolFailure, "the server's handshake failed: \(TLSContext.errorQueueText(library))")
        }
    }

    /// Every byte of plaintext the records received so far hold.
    func readAvailable() throws -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let result = buffer.withUnsafeMutableBytes { library.sslRead(ssl, $0.baseAddress, Int32($0.count)) }
            if result > 0 {
                received += buffer[..<Int(result)]
                continue
            }
            let code = library.sslGetError(ssl, result)
            guard code == TLSControl.errorWantRead else {
                throw TLSError(.protocolFailure, "the server's read failed: \(TLSContext.errorQueueText(library))")
            }
            return received
        }
    }

    func write(_ plaintext: [UInt8]) throws {
        let result = plaintext.withUnsafeBytes { library.sslWrite(ssl, $0.baseAddress, Int32($0.count)) }
        guard result == plaintext.count else {
            throw TLSError(.protocolFailure, "the server's write failed: \(TLSContext.errorQueueText(library))")
        }
    }

    /// Queues close_notify.
    func shutdown() {
        _ = library.sslShutdown(ssl)
    }
}
