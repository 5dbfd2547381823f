import EventLoop
import Simulators
import TestSupport
import Testing

/// The TLS client against a real TLS server (OpenSSL's, in `TLSTerminator`) with the test certificates: https
/// through the HTTP client, and each verification failure reported as a sentence that names the cause.
@Suite(.serialized) struct TLSClientTests {
    /// A plain server answering "pong", behind TLS with `certificate`; the client trusts `ca`.
    private func get(
        certificate: String, key: String, ca: String = "ca.pem", host: String = "127.0.0.1",
        configuration: ((inout TLSSettings) -> Void)? = nil
    ) throws -> Result<HTTPResponse, HTTPClientError> {
        let backend = try BlockingHTTPServer()
        backend.handler = { _, responder in responder.respond(status: 200, body: "pong") }
        backend.start()
        defer { backend.stop() }
        let terminator = try TLSTerminator(
            certificate: TestCertificates.path(certificate), key: TestCertificates.path(key), backendPort: backend.port)
        terminator.start()
        defer { terminator.stop() }
        var tls = TLSSettings(caFile: TestCertificates.path(ca))
        configuration?(&tls)
        let context = try TLSContext.make(tls)
        let loop = EventLoop(label: "test.tls")
        let client = HTTPClient(endpoint: .tcp(host: host, port: terminator.port), on: loop, tls: context)
        defer { onLoop(loop) { client.close() } }
        return perform(client, HTTPRequest(method: .get, target: "/ping"))
    }

    private func failure(_ result: Result<HTTPResponse, HTTPClientError>) -> String {
        guard case .failure(let error) = result else { return "no failure" }
        return error.description
    }

    @Test func httpsRequestSucceedsWithATrustedCertificateForTheAddressAndTheName() throws {
        for host in ["127.0.0.1", "localhost"] {
            let response = try get(certificate: "server.pem", key: "server-key.pem", host: host).get()
            #expect(response.status == 200 && response.body == Array("pong".utf8))
        }
    }

    @Test func anUnknownCAIsRefusedAsSuch() throws {
        let message = failure(try get(certificate: "server.pem", key: "server-key.pem", ca: "other-ca.pem"))
        #expect(message.contains("not signed by a trusted certificate authority (unknown CA"), "\(message)")
        #expect(message.contains("127.0.0.1"))
    }

    @Test func anExpiredCertificateIsRefusedAsExpired() throws {
        let message = failure(try get(certificate: "expired.pem", key: "expired-key.pem"))
        #expect(message.contains("has expired"), "\(message)")
    }

    @Test func aCertificateForAnotherHostIsRefusedNamingTheHost() throws {
        for host in ["127.0.0.1", "localhost"] {
            let message = failure(try get(certificate: "wronghost.pem", key: "wronghost-key.pem", host: host))
            #expect(message.contains("is not valid for that host name or address"), "\(message)")
            #expect(message.contains(host))
        }
    }

    @Test func skippingVerificationAcceptsAnUntrustedCertificate() throws {
        let result = try get(certificate: "wronghost.pem", key: "wronghost-key.pem", ca: "other-ca.pem") {
            $0.verifyPeer = false
        }
        #expect(try result.get().status == 200)
    }

    @Test func aPlainHTTPServerFailsTheHandshakeWithASentence() throws {
        let backend = try BlockingHTTPServer()
        backend.start()
        defer { backend.stop() }
        let context = try TLSContext.make(TLSSettings(caFile: TestCertificates.path("ca.pem")))
        let loop = EventLoop(label: "test.tls")
        let client = HTTPClient(endpoint: .tcp(host: "127.0.0.1", port: backend.port), on: loop, tls: context)
        defer { onLoop(loop) { client.close() } }
        let message = failure(perform(client, HTTPRequest(method: .get, target: "/")))
        #expect(message.contains("TLS handshake") || message.contains("wrong version number"), "\(message)")
    }

    @Test func unreadableFilesAreConfigurationErrorsNamingTheFile() {
        #expect {
            try TLSContext.make(TLSSettings(caFile: "/nonexistent/ca.pem"))
        } throws: { error in
            (error as? TLSError)?.kind == .configuration && "\(error)".contains("/nonexistent/ca.pem")
        }
        #expect {
            try TLSContext.make(
                TLSSettings(
                    caFile: TestCertificates.path("ca.pem"), certificateFile: TestCertificates.path("client.pem"),
                    keyFile: TestCertificates.path("server-key.pem")))
        } throws: { error in
            (error as? TLSError)?.kind == .configuration && "\(error)".contains("does not match")
        }
    }
}
