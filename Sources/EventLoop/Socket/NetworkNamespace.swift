/// A network namespace to create sockets in: a container's, opened from `/proc/<pid>/ns/net`, together with the
/// process's own to return to. Sockets made through it connect from inside that network (its loopback is the
/// container's), while everything else about them, the event loop included, stays as it is.
///
/// Holds two descriptors until `close()`.
public final class NetworkNamespace: @unchecked Sendable {
    // @unchecked: the descriptors are set once and closed once, on the loop.
    private var namespaceFD: Int32
    private var homeFD: Int32

    /// Opens the network namespace of process `pid`; throws when it cannot (no such process, no permission).
    public init(pid: Int32) throws(SystemError) {
        guard let home = try Posix.openForReading("/proc/self/ns/net") else {
            throw SystemError(code: Posix.Errno.noSuchFile, operation: "open /proc/self/ns/net")
        }
        let path = "/proc/\(pid)/ns/net"
        let target: Int32?
        do {
            target = try Posix.openForReading(path)
        } catch {
            Posix.close(home)
            throw error
        }
        guard let target else {
            Posix.close(home)
            throw SystemError(code: Posix.Errno.noSuchFile, operation: "open \(path)")
        }
        namespaceFD = target
        homeFD = home
    }

    /// A nonblocking socket inside the namespace (see `Posix.socket(family:inNamespace:returningTo:)`).
    func socket(family: SocketAddress.Family) throws(SystemError) -> Int32 {
        guard namespaceFD >= 0 else { throw SystemError(code: Posix.Errno.badDescriptor, operation: "setns") }
        return try Posix.socket(family: family, inNamespace: namespaceFD, returningTo: homeFD)
    }

    /// Whether a socket can be made in the namespace: false without the privilege to enter it.
    public func canEnter() -> Bool {
        guard let fd = try? socket(family: .ipv4) else { return false }
        Posix.close(fd)
        return true
    }

    public func close() {
        guard namespaceFD >= 0 else { return }
        Posix.close(namespaceFD)
        Posix.close(homeFD)
        namespaceFD = -1
        homeFD = -1
    }

    deinit { close() }
}
