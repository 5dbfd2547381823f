// Network namespaces: sockets created inside another process's network (for Mesos health checks, which probe
// from inside a container's network).
import Glibc

/// `setns` is not in the Glibc module's headers as Swift imports them; the C library exports it.
private typealias SetnsFunction = @convention(c) (Int32, Int32) -> Int32
private let sysSetns: SetnsFunction? = {
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "setns") else { return nil }
    return unsafeBitCast(symbol, to: SetnsFunction.self)
}()
/// `CLONE_NEWNET`: `setns` checks that the descriptor is a network namespace.
private let cloneNewNet: Int32 = 0x4000_0000

extension Posix {
    /// A new nonblocking stream socket created inside the network namespace `namespaceFD` (an open
    /// `/proc/<pid>/ns/net`): the calling thread enters it, creates the socket, and returns to `homeFD` before
    /// this returns, so nothing else on the thread ever runs in the other namespace. A socket keeps the namespace
    /// it was created in. Needs CAP_SYS_ADMIN. The corresponding C functions are `setns` and `socket`.
    public static func socket(family: SocketAddress.Family, inNamespace namespaceFD: Int32, returningTo homeFD: Int32)
        throws(SystemError) -> Int32
    {
        guard let sysSetns else { throw SystemError(code: ENOSYS, operation: "setns") }
        guard sysSetns(namespaceFD, cloneNewNet) == 0 else { throw SystemError(code: errno, operation: "setns") }
        let result: Result<Int32, SystemError>
        do {
            result = .success(try socket(family: family))
        } catch {
            result = .failure(error)
        }
        if sysSetns(homeFD, cloneNewNet) != 0 {
            // The thread could not go home: running on in the container's network would be wrong for every later
            // connection, and there is no safe way on.
            fatalError("setns back to the executor's own network namespace failed (errno \(errno))")
        }
        return try result.get()
    }
}
