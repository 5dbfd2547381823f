import Glibc

extension OpenSSLLibrary {
    /// Resolves every function by name: libssl's from `ssl`, libcrypto's from `crypto`. Names are OpenSSL 3's
    /// exported functions (not the macros of its headers, which expand to `SSL_ctrl` calls: see `TLSControl`).
    init(ssl: UnsafeMutableRawPointer, crypto: UnsafeMutableRawPointer) throws(TLSError) {
        func symbol<T>(_ handle: UnsafeMutableRawPointer, _ name: String) throws(TLSError) -> T {
            guard let address = dlsym(handle, name) else {
                throw TLSError(.libraryUnavailable, "the loaded OpenSSL lacks the function \(name)")
            }
            return unsafeBitCast(address, to: T.self)
        }
        clientMethod = try symbol(ssl, "TLS_client_method")
        serverMethod = try symbol(ssl, "TLS_server_method")
        contextNew = try symbol(ssl, "SSL_CTX_new")
        contextFree = try symbol(ssl, "SSL_CTX_free")
        contextSetVerify = try symbol(ssl, "SSL_CTX_set_verify")
        contextLoadVerifyLocations = try symbol(ssl, "SSL_CTX_load_verify_locations")
        contextSetDefaultVerifyPaths = try symbol(ssl, "SSL_CTX_set_default_verify_paths")
        contextUseCertificateChainFile = try symbol(ssl, "SSL_CTX_use_certificate_chain_file")
        contextUsePrivateKeyFile = try symbol(ssl, "SSL_CTX_use_PrivateKey_file")
        contextCheckPrivateKey = try symbol(ssl, "SSL_CTX_check_private_key")
        contextControl = try symbol(ssl, "SSL_CTX_ctrl")
        sslNew = try symbol(ssl, "SSL_new")
        sslFree = try symbol(ssl, "SSL_free")
        sslSetBIO = try symbol(ssl, "SSL_set_bio")
        sslSetFD = try symbol(ssl, "SSL_set_fd")
        sslSetConnectState = try symbol(ssl, "SSL_set_connect_state")
        sslDoHandshake = try symbol(ssl, "SSL_do_handshake")
        sslAccept = try symbol(ssl, "SSL_accept")
        sslRead = try symbol(ssl, "SSL_read")
        sslWrite = try symbol(ssl, "SSL_write")
        sslPending = try symbol(ssl, "SSL_pending")
        sslShutdown = try symbol(ssl, "SSL_shutdown")
        sslGetError = try symbol(ssl, "SSL_get_error")
        sslSet1Host = try symbol(ssl, "SSL_set1_host")
        sslGet0Param = try symbol(ssl, "SSL_get0_param")
        sslControl = try symbol(ssl, "SSL_ctrl")
        sslGetVerifyResult = try symbol(ssl, "SSL_get_verify_result")
        verifyParamSetIP = try symbol(crypto, "X509_VERIFY_PARAM_set1_ip_asc")
        verifyErrorString = try symbol(crypto, "X509_verify_cert_error_string")
        bioMemoryMethod = try symbol(crypto, "BIO_s_mem")
        bioNew = try symbol(crypto, "BIO_new")
        bioRead = try symbol(crypto, "BIO_read")
        bioWrite = try symbol(crypto, "BIO_write")
        bioPending = try symbol(crypto, "BIO_ctrl_pending")
        errorGet = try symbol(crypto, "ERR_get_error")
        errorPeek = try symbol(crypto, "ERR_peek_error")
        errorString = try symbol(crypto, "ERR_error_string_n")
        errorClear = try symbol(crypto, "ERR_clear_error")
    }

    /// Whether libssl is mapped into this process now (for tests and the footprint check: a plain executor must
    /// never have it). Reads /proc/self/maps.
    package static func isMappedInThisProcess() -> Bool {
        guard let bytes = try? FileReader.read("/proc/self/maps", maxBytes: 8 << 20) else { return false }
        return ASCII.firstRange(of: "libssl.so", in: Substring(decoding: bytes, as: UTF8.self)) != nil
    }
}

/// The numeric constants of OpenSSL 3's headers the layer needs (they are ABI: fixed across 3.x).
enum TLSControl {
    static let verifyNone: Int32 = 0
    static let verifyPeer: Int32 = 1
    static let fileTypePEM: Int32 = 1
    static let setMinProtocolVersion: Int32 = 123  // SSL_CTRL_SET_MIN_PROTO_VERSION
    static let tls12Version = 0x0303
    static let setServerName: Int32 = 55  // SSL_CTRL_SET_TLSEXT_HOSTNAME
    static let serverNameTypeHost = 0  // TLSEXT_NAMETYPE_host_name
    static let errorNone: Int32 = 0
    static let errorSSL: Int32 = 1
    static let errorWantRead: Int32 = 2
    static let errorWantWrite: Int32 = 3
    static let errorSyscall: Int32 = 5
    static let errorZeroReturn: Int32 = 6
    static let verifyOK = 0
    static let libraryOfSSL: UInt = 20  // ERR_LIB_SSL
}
