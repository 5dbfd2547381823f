import Dispatch
import EventLoop
import Simulators
import Testing

@testable import Executor

/// HTTP and TCP probes against a local server, from the executor's own network and through a network namespace
/// (the test process's own: entering it is what entering a container's does, minus the container).
struct NetworkProbeTests {
    final class Box: @unchecked Sendable {
        var outcome: ProbeOutcome?
    }

    private func probe(_ probe: CheckProbe, namespace: NetworkNamespace? = nil) -> ProbeOutcome? {
        let loop = EventLoop(label: "network-probe")
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        loop.queue.sync {
            _ = NetworkProbe.start(
                probe, host: "127.0.0.1", namespace: namespace, loop: loop, connectTimeout: .seconds(5)
            ) { outcome in
                box.outcome = outcome
                done.signal()
            }
        }
        _ = done.wait(timeout: .now() + .seconds(10))
        return loop.queue.sync { box.outcome }
    }

    private func server(status: Int) throws -> BlockingHTTPServer {
        let server = try BlockingHTTPServer()
        server.handler = { _, responder in responder.respond(status: status, body: "x") }
        server.start()
        return server
    }

    private func closedPort() throws -> Int {
        let server = try BlockingHTTPServer()
        let port = server.port
        server.stop()
        return Int(port)
    }

    @Test func anHTTPProbeReportsTheStatusCode() throws {
        let server = try server(status: 503)
        defer { server.stop() }
        #expect(probe(.http(port: Int(server.port), path: "/health", ipv6: false)) == .httpStatus(503))
        #expect(server.requests.first?.target == "/health")
    }

    @Test func anHTTPProbeToAClosedPortIsNotPerformed() throws {
        let outcome = probe(.http(port: try closedPort(), path: "/", ipv6: false))
        guard case .notPerformed(let reason)? = outcome else {
            Issue.record("expected notPerformed, got \(String(describing: outcome))")
            return
        }
        #expect(reason.contains("refused"))
    }

    @Test func aTCPProbeIsAcceptedOrRefused() throws {
        let server = try server(status: 200)
        defer { server.stop() }
        #expect(probe(.tcp(port: Int(server.port), ipv6: false)) == .connected(true))
        #expect(probe(.tcp(port: try closedPort(), ipv6: false)) == .connected(false))
    }

    @Test func probesRunThroughANetworkNamespace() throws {
        let namespace = try NetworkNamespace(pid: Posix.getpid())
        defer { namespace.close() }
        guard namespace.canEnter() else {
            print("Skipping the namespace case: this process may not enter a network namespace (no CAP_SYS_ADMIN).")
            return
        }
        let server = try server(status: 204)
        defer { server.stop() }
        #expect(probe(.http(port: Int(server.port), path: "/", ipv6: false), namespace: namespace) == .httpStatus(204))
        #expect(probe(.tcp(port: Int(server.port), ipv6: false), namespace: namespace) == .connected(true))
    }

    @Test func anEndlessResponseHeadIsAFailureNotUnboundedMemory() throws {
        let server = try BlockingHTTPServer()
        server.handler = { _, responder in
            guard responder.writeRaw("HTTP/1.1 200 OK\r\n") else { return }
            let line = "X-Filler: " + String(repeating: "a", count: 1000) + "\r\n"
            // Up to 64 MB of header lines, never a blank line: the probe must give up long before.
            for _ in 0..<65536 where responder.writeRaw(line) {}
        }
        server.start()
        defer { server.stop() }
        let outcome = probe(.http(port: Int(server.port), path: "/", ipv6: false))
        guard case .notPerformed? = outcome else {
            Issue.record("expected notPerformed, got \(String(describing: outcome))")
            return
        }
    }

    @Test func aProcessThatDoesNotExistHasNoNamespace() {
        #expect(throws: SystemError.self) { try NetworkNamespace(pid: Int32.max) }
    }
}
