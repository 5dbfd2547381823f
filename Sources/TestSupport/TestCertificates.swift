import Glibc

/// The test CA and certificates of `scripts/make-test-certs.sh`, made once per build directory (the script is
/// idempotent) and shared by every TLS test.
public enum TestCertificates {
    /// The directory holding ca.pem, server.pem, expired.pem, wronghost.pem, other-ca.pem, client.pem, docker/.
    public static let directory: String = {
        let root = packageRoot()
        let directory = root + "/.build/test-certs"
        let status = system("'\(root)/scripts/make-test-certs.sh' '\(directory)' >/dev/null")
        precondition(status == 0, "scripts/make-test-certs.sh failed (is the openssl command installed?)")
        return directory
    }()

    public static func path(_ name: String) -> String { directory + "/" + name }

    private static func packageRoot(file: String = #filePath) -> String {
        // Sources/TestSupport/TestCertificates.swift → the package root three levels up.
        var parts = file.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }
}
