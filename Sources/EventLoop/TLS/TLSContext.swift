/// An OpenSSL client context (SSL_CTX): trusted CAs, the client certificate and the verification mode, shared by
/// every connection to one peer. Made once per configured peer, at configuration time.
///
/// Making one is the moment OpenSSL is loaded (see `OpenSSLLibrary`) and the CA and certificate files are read: a
/// few kilobytes of local files, read once, like the Docker config file. Immutable afterwards, so it may be shared
/// across threads; each connection gets its own `TLSSession`.
public final class TLSContext: @unchecked Sendable {
    // @unchecked: the SSL_CTX is not changed after `make`; OpenSSL allows SSL_new on it from any thread.

    let library: OpenSSLLibrary
    let handle: SSLPointer
    public let settings: TLSSettings

    private init(library: OpenSSLLibrary, handle: SSLPointer, settings: TLSSettings) {
        self.library = library
        self.handle = handle
        self.settings = settings
    }

    deinit { library.contextFree(handle) }

    /// A client context for `settings`, or the reason it cannot be made (library missing, unreadable CA,
    /// certificate or key, a key that does not match its certificate).
    public static func make(_ settings: TLSSettings) throws(TLSError) -> TLSContext {
        let library = try OpenSSLLibrary.shared.get()
        library.errorClear()
        guard let handle = library.contextNew(library.clientMethod()) else {
            throw TLSError(.configuration, "OpenSSL could not make a TLS context: \(errorQueueText(library))")
        }
        let context = TLSContext(library: library, handle: handle, settings: settings)
        _ = library.contextControl(handle, TLSControl.setMinProtocolVersion, TLSControl.tls12Version, nil)
        library.contextSetVerify(
            handle, settings.verifyPeer ? TLSControl.verifyPeer : TLSControl.verifyNone, nil)
        if settings.caFile != nil || settings.caDirectory != nil {
            guard library.contextLoadVerifyLocations(handle, settings.caFile, settings.caDirectory) == 1
            else {
                let source = [settings.caFile, settings.caDirectory].compactMap { $0 }.joined(
                    separator: " and ")
                throw TLSError(
                    .configuration,
                    "the certificate authorities in \(source) cannot be loaded: \(errorQueueText(library))")
            }
        } else {
            _ = library.contextSetDefaultVerifyPaths(handle)
        }
        if let certificate = settings.certificateFile {
            guard library.contextUseCertificateChainFile(handle, certificate) == 1 else {
                throw TLSError(
                    .configuration,
                    "the client certificate \(certificate) cannot be loaded: \(errorQueueText(library))")
            }
            let key = settings.keyFile ?? certificate
            guard library.contextUsePrivateKeyFile(handle, key, TLSControl.fileTypePEM) == 1,
                library.contextCheckPrivateKey(handle) == 1
            else {
                throw TLSError(
                    .configuration,
                    "the private key \(key) cannot be loaded or does not match \(certificate): \(errorQueueText(library))"
                )
            }
        }
        return context
    }

    /// A session for one connection to `host` (a name or an IP address, checked against the certificate).
    public func makeSession(host: String) throws(TLSError) -> TLSSession {
        try TLSSession(context: self, host: host)
    }

    /// OpenSSL's queued error strings, oldest first, emptying the queue.
    static func errorQueueText(_ library: OpenSSLLibrary) -> String {
        var texts: [String] = []
        while texts.count < 8 {
            let code = library.errorGet()
            guard code != 0 else { break }
            var buffer = [CChar](repeating: 0, count: 256)
            library.errorString(code, &buffer, buffer.count)
            texts.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return texts.isEmpty ? "no detail from OpenSSL" : texts.joined(separator: "; ")
    }
}
