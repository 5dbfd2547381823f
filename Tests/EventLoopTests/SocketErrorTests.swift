import Glibc
import Testing

@testable import EventLoop

struct SocketErrorTests {
    @Test func describesEachFailureAsASentenceWithItsContext() {
        let endpoint = Endpoint.tcp(host: "10.0.0.5", port: 5051)
        let refused = SocketError.connectFailed(
            endpoint: endpoint, error: SystemError(code: ECONNREFUSED, operation: "connect"))
        #expect(
            refused.description == "Connecting to 10.0.0.5:5051 failed: connect failed: Connection refused (errno 111)."
        )
        #expect(refused.code == ECONNREFUSED)
        let timedOut = SocketError.timedOut(endpoint: .unix(path: "/d.sock"), after: .seconds(2))
        #expect(timedOut.description == "Connecting to unix:///d.sock timed out after 2.0 seconds.")
        #expect(timedOut.code == ETIMEDOUT)
        let unresolved = SocketError.resolutionFailed(host: "nowhere", reason: "Name or service not known")
        #expect(unresolved.description == "The host name 'nowhere' could not be resolved: Name or service not known.")
        #expect(unresolved.code == nil)
    }

    @Test func closeReasonsReadAsSentences() {
        #expect(SocketCloseReason.eof.description == "The peer closed the connection.")
        #expect(
            SocketCloseReason.error(SystemError(code: ECONNRESET, operation: "read")).description
                == "The connection failed: read failed: Connection reset by peer (errno 104).")
        #expect(SocketCloseReason.closedLocally.description == "The connection was closed locally.")
    }
}
