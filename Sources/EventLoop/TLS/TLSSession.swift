/// One TLS client connection's state machine, with no I/O of its own: ciphertext from the socket goes in through
/// `receive`, ciphertext for the socket comes out of `takeOutgoing`, and plaintext passes through `readPlaintext` and
/// `write`. OpenSSL works on two memory buffers (memory BIOs) rather than on the descriptor, so it never blocks and
/// never touches the socket; the event loop's read and write sources decide when bytes move, and OpenSSL's
/// SSL_ERROR_WANT_READ simply means "feed me more ciphertext". Confined to one thread (the loop).
public final class TLSSession {
    public enum Progress: Equatable {
        case complete
        /// The handshake waits for the peer's next flight (SSL_ERROR_WANT_READ).
        case needsMoreData
        case failed(TLSError)
    }

    public enum ReadResult: Equatable {
        case bytes(Int)
        case needsMoreData
        /// The peer ended the session (close_notify).
        case closed
        case failed(TLSError)
    }

    private let context: TLSContext
    private let library: OpenSSLLibrary
    private let ssl: SSLPointer
    /// Owned by `ssl` (SSL_set_bio): freed with it.
    private let incoming: SSLPointer
    private let outgoing: SSLPointer
    /// The name or address dialled, for error messages.
    public let host: String

    init(context: TLSContext, host: String) throws(TLSError) {
        let library = context.library
        guard let ssl = library.sslNew(context.handle) else {
            throw TLSError(.configuration, "OpenSSL could not make a session: \(TLSContext.errorQueueText(library))")
        }
        guard let incoming = library.bioNew(library.bioMemoryMethod()),
            let outgoing = library.bioNew(library.bioMemoryMethod())
        else {
            library.sslFree(ssl)
            throw TLSError(.configuration, "OpenSSL could not make memory buffers")
        }
        library.sslSetBIO(ssl, incoming, outgoing)
        library.sslSetConnectState(ssl)
        self.context = context
        self.library = library
        self.ssl = ssl
        self.incoming = incoming
        self.outgoing = outgoing
        self.host = host
        let isAddress = Posix.parseIPv4(host) != nil || Posix.parseIPv6(host) != nil
        if !isAddress {
            // Server Name Indication: only names are sent, never addresses (RFC 6066).
            host.withCString { name in
                _ = library.sslControl(
                    ssl, TLSControl.setServerName, TLSControl.serverNameTypeHost,
                    UnsafeMutableRawPointer(mutating: name))
            }
        }
        if context.settings.verifyPeer {
            let accepted =
                isAddress ? library.verifyParamSetIP(library.sslGet0Param(ssl), host) : library.sslSet1Host(ssl, host)
            guard accepted == 1 else {
                throw TLSError(.configuration, "the host name \(host) cannot be checked against certificates")
            }
        }
    }

    deinit { library.sslFree(ssl) }

    /// Hands ciphertext read from the socket to OpenSSL.
    public func receive(_ ciphertext: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < ciphertext.count {
            let chunk = min(ciphertext.count - offset, Int(Int32.max))
            let written = library.bioWrite(incoming, ciphertext.baseAddress! + offset, Int32(chunk))
            guard written > 0 else { return }  // a memory BIO only refuses when out of memory
            offset += Int(written)
        }
    }

    /// Ciphertext OpenSSL wants sent (handshake flights, encrypted records, alerts); empty when there is none.
    public func takeOutgoing() -> [UInt8] {
        let pending = library.bioPending(outgoing)
        guard pending > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: pending)
        let read = bytes.withUnsafeMutableBytes { library.bioRead(outgoing, $0.baseAddress, Int32($0.count)) }
        return read > 0 ? Array(bytes[..<Int(read)]) : []
    }

    /// Advances the handshake as far as the ciphertext received so far allows.
    public func handshake() -> Progress {
        library.errorClear()
        let result = library.sslDoHandshake(ssl)
        if result == 1 { return .complete }
        switch library.sslGetError(ssl, result) {
        case TLSControl.errorWantRead, TLSControl.errorWantWrite: return .needsMoreData
        case let code: return .failed(failure(code: code, during: "the TLS handshake"))
        }
    }

    /// Decrypts into `buffer` what the ciphertext received so far holds.
    public func readPlaintext(into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        library.errorClear()
        let result = library.sslRead(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        if result > 0 { return .bytes(Int(result)) }
        switch library.sslGetError(ssl, result) {
        case TLSControl.errorWantRead, TLSControl.errorWantWrite: return .needsMoreData
        case TLSControl.errorZeroReturn: return .closed
        case let code: return .failed(failure(code: code, during: "reading from the TLS connection"))
        }
    }

    /// Encrypts `plaintext`; the records wait in `takeOutgoing`. Only after the handshake completed.
    public func write(_ plaintext: [UInt8]) throws(TLSError) {
        guard !plaintext.isEmpty else { return }
        library.errorClear()
        let result = plaintext.withUnsafeBytes { library.sslWrite(ssl, $0.baseAddress, Int32($0.count)) }
        guard result == plaintext.count else {
            throw failure(code: library.sslGetError(ssl, result), during: "writing to the TLS connection")
        }
    }

    /// Queues a close_notify alert (sent with the next `takeOutgoing`).
    public func shutdown() {
        _ = library.sslShutdown(ssl)
        library.errorClear()
    }

    private func failure(code: Int32, during step: String) -> TLSError {
        let peer = "the server at \(host)"
        let verification = library.sslGetVerifyResult(ssl)
        if code == TLSControl.errorSSL, verification != TLSControl.verifyOK {
            let text = library.verifyErrorString(verification).map { String(cString: $0) } ?? "code \(verification)"
            library.errorClear()
            return TLSError.verification(code: verification, opensslText: text, peer: peer)
        }
        if code == TLSControl.errorSyscall || code == TLSControl.errorZeroReturn {
            return TLSError(.protocolFailure, "\(peer) closed the connection during \(step)")
        }
        let first = library.errorPeek()
        let text = TLSContext.errorQueueText(library)
        if step == Self.handshakeStep, Self.meansNotTLS(first) {
            return TLSError(
                .protocolFailure, "\(step) with \(peer) failed: its answer is not TLS (is it a TLS server?): \(text)")
        }
        return TLSError(.protocolFailure, "\(step) with \(peer) failed: \(text)")
    }

    private static let handshakeStep = "the TLS handshake"

    /// Whether OpenSSL's error `code` says the peer's bytes are no TLS at all (another protocol such as plain HTTP
    /// or SSH, or garbage) rather than a TLS server refusing: libssl's reasons for a record or handshake message
    /// that cannot be parsed.
    static func meansNotTLS(_ code: UInt) -> Bool {
        let library = (code >> 23) & 0xFF  // ERR_GET_LIB
        let reason = code & 0x7F_FFFF  // ERR_GET_REASON
        // BAD_PACKET_LENGTH, ENCRYPTED_LENGTH_TOO_LONG, LENGTH_MISMATCH, LENGTH_TOO_SHORT, PACKET_LENGTH_TOO_LONG,
        // RECORD_LENGTH_MISMATCH, BAD_PACKET, UNEXPECTED_MESSAGE, UNEXPECTED_RECORD, UNKNOWN_PROTOCOL,
        // WRONG_SSL_VERSION, WRONG_VERSION_NUMBER, BAD_LENGTH, BAD_RECORD_TYPE.
        let notTLS: Set<UInt> = [115, 150, 159, 160, 198, 213, 240, 244, 245, 252, 266, 267, 271, 443]
        return code & (1 << 31) == 0 && library == TLSControl.libraryOfSSL && notTLS.contains(reason)
    }
}
