// A file of its own (not Posix/Syscalls.swift) for the two file calls only the Vault token cache needs.
import Glibc

/// A small private file's age and its replacement: the Vault token cache (VAULT_TOKEN_FILE).
///
/// Blocking, like `FileReader`: a local file of a few hundred bytes, touched once at start-up, before the executor
/// connects to the agent (so no socket or timer waits on it).
public enum SmallFiles {
    /// Seconds since the epoch of the file's last modification, or nil when it cannot be stat'ed.
    public static func modificationTime(_ path: String) -> Double? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
    }

    /// Replaces `path`'s content with `bytes`, the file readable and writable by its owner only (mode 0600, also
    /// when it existed with another mode). Written to a temporary file beside it and renamed over it, so a
    /// concurrent reader (another executor sharing the cache) sees the old token or the new one, never half.
    public static func writePrivately(_ path: String, _ bytes: [UInt8]) throws(SystemError) {
        let temporary = path + ".tmp.\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SystemError(code: errno, operation: "open \(temporary)") }
        var failure: SystemError?
        if fchmod(descriptor, 0o600) != 0 { failure = SystemError(code: errno, operation: "fchmod \(temporary)") }
        var written = 0
        while failure == nil, written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                failure = SystemError(code: errno, operation: "write \(temporary)")
            } else {
                written += count
            }
        }
        Glibc.close(descriptor)
        if failure == nil, rename(temporary, path) != 0 {
            failure = SystemError(code: errno, operation: "rename to \(path)")
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
    }
}
