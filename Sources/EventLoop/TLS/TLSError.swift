/// A TLS failure in words an operator can act on: which file, which peer, what was wrong with its certificate.
public struct TLSError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// libssl.so.3 or one of its functions is missing on this host.
        case libraryUnavailable
        /// A CA file or directory, client certificate or key could not be loaded.
        case configuration
        /// The peer's certificate has expired or is not valid yet.
        case certificateExpired
        /// The peer's certificate chain does not lead to a trusted certificate authority.
        case unknownAuthority
        /// The peer's certificate is not valid for the host name or address that was dialled.
        case hostMismatch
        /// Any other verification failure of the peer's certificate.
        case verificationFailed
        /// The handshake or a record failed for a reason other than the certificate (protocol, alert, closed).
        case protocolFailure
    }

    public let kind: Kind
    /// A sentence, without a trailing period.
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// X509_V_ERR_* codes that get a sentence of their own; every other code reads OpenSSL's own string.
    static func verification(code: Int, opensslText: String, peer: String) -> TLSError {
        switch code {
        case 10:  // X509_V_ERR_CERT_HAS_EXPIRED
            return TLSError(.certificateExpired, "the certificate of \(peer) has expired (\(opensslText))")
        case 9:  // X509_V_ERR_CERT_NOT_YET_VALID
            return TLSError(.certificateExpired, "the certificate of \(peer) is not valid yet (\(opensslText))")
        case 2, 18, 19, 20, 21:  // unable to get issuer, self-signed leaf or chain, local issuer, leaf signature
            return TLSError(
                .unknownAuthority,
                "the certificate of \(peer) is not signed by a trusted certificate authority (unknown CA: \(opensslText))"
            )
        case 62, 64:  // X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH
            return TLSError(
                .hostMismatch, "the certificate of \(peer) is not valid for that host name or address (\(opensslText))")
        default:
            return TLSError(.verificationFailed, "the certificate of \(peer) failed verification (\(opensslText))")
        }
    }
}
