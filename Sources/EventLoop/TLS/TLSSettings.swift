/// How a TLS client verifies its peer and presents itself: the settings an operator gives (Docker's ca.pem,
/// cert.pem and key.pem; Vault's VAULT_CACERT, VAULT_CAPATH, VAULT_SKIP_VERIFY).
public struct TLSSettings: Sendable, Equatable {
    /// PEM file of trusted certificate authorities; with neither this nor `caDirectory`, the system's store.
    public var caFile: String?
    /// Directory of hashed CA certificates (`openssl rehash`).
    public var caDirectory: String?
    /// Client certificate chain (PEM) and its private key, for peers that ask for one (Docker with --tlsverify).
    public var certificateFile: String?
    public var keyFile: String?
    /// False only when an operator explicitly turned verification off (VAULT_SKIP_VERIFY); verification of the
    /// chain and of the host name is the default.
    public var verifyPeer: Bool

    public init(
        caFile: String? = nil, caDirectory: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
        verifyPeer: Bool = true
    ) {
        self.caFile = caFile
        self.caDirectory = caDirectory
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.verifyPeer = verifyPeer
    }
}
