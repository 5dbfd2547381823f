import EventLoop

/// TLS for an https EXECUTOR_SIDECAR_URL: the system's trusted certificate authorities (OpenSSL's default store,
/// which honours SSL_CERT_FILE and SSL_CERT_DIR), Sidecar's host name checked. Made at start-up by `prepare`, the
/// only place that loads OpenSSL for Sidecar, and never for an http URL.
enum SidecarTLS {
    /// Made on first read (a Swift global): `prepare` reads it before the event loop runs.
    static let context: Result<TLSContext, TLSError> = Result { () throws(TLSError) in
        try TLSContext.make(TLSSettings())
    }

    /// Loads OpenSSL and the CA store now when `url` is https; the reason when that fails.
    static func prepare(for url: HTTPURL) -> TLSError? {
        guard url.isTLS else { return nil }
        if case .failure(let error) = context { return error }
        return nil
    }
}
