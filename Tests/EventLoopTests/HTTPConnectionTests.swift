import Dispatch
import Glibc
import Testing

@testable import EventLoop

/// Records what one task delivered, from the loop, for the test thread.
private final class TaskRecord: Sendable {
    let events = Locked<[String]>([])

    func send(_ request: HTTPRequest, on connection: HTTPConnection, timeout: Duration? = .seconds(10))
        -> HTTPClientTask
    {
        connection.send(
            request, timeout: timeout,
            onHead: { head in self.events.withValue { $0.append("head \(head.status)") } },
            onBody: { bytes in self.events.withValue { $0.append("body \(String(decoding: bytes, as: UTF8.self))") } },
            onEnd: { result in
                self.events.withValue {
                    switch result {
                    case .success: $0.append("end")
                    case .failure(let error): $0.append("failed \(error)")
                    }
                }
            })
    }

    var isDone: Bool { events.current.last.map { $0 == "end" || $0.hasPrefix("failed") } ?? false }
}

struct HTTPConnectionTests {
    @Test func runsQueuedRequestsOneAtATimeInFIFOOrder() throws {
        let sentEarly = Locked(false)
        let server = try ScriptedServer { peer in
            for name in ["a", "b", "c"] {
                guard peer.readRequest() != nil else { return }
                // No pipelining: the next request must not be on the wire before this response.
                if peer.connection.readSome(timeout: 0) != nil { sentEarly.withValue { $0 = true } }
                peer.send("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n\(name)")
            }
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.connection-fifo")
        let records = [TaskRecord(), TaskRecord(), TaskRecord()]
        let connection = onLoop(loop) { () -> HTTPConnection in
            let connection = HTTPConnection(endpoint: server.endpoint, on: loop)
            for (index, record) in records.enumerated() {
                _ = record.send(HTTPRequest(method: .get, target: "/\(index)"), on: connection)
            }
            return connection
        }
        #expect(eventually { records.allSatisfy(\.isDone) })
        #expect(
            records.map(\.events.current) == [
                ["head 200", "body a", "end"], ["head 200", "body b", "end"], ["head 200", "body c", "end"],
            ])
        #expect(server.requests.current.map { $0.head.prefix(6) } == ["GET /0", "GET /1", "GET /2"])
        #expect(sentEarly.current == false)
        #expect(onLoop(loop) { (connection.completedResponses, connection.isIdle) } == (3, true))
        onLoop(loop) { connection.close() }
    }

    @Test func aQueuedRequestThatTimesOutLeavesTheRunningOneAlone() throws {
        let answer = DispatchSemaphore(value: 0)
        let server = try ScriptedServer { peer in
            peer.readRequest()
            _ = answer.wait(timeout: .now() + 10)
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow")
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.connection-queue-timeout")
        let running = TaskRecord()
        let queued = TaskRecord()
        let connection = onLoop(loop) { () -> HTTPConnection in
            let connection = HTTPConnection(endpoint: server.endpoint, on: loop)
            _ = running.send(HTTPRequest(method: .get, target: "/slow"), on: connection)
            _ = queued.send(HTTPRequest(method: .get, target: "/never"), on: connection, timeout: .milliseconds(100))
            return connection
        }
        #expect(eventually { queued.isDone })
        #expect(queued.events.current == ["failed \(HTTPClientError.timedOut(after: .milliseconds(100)))"])
        answer.signal()
        #expect(eventually { running.isDone })
        #expect(running.events.current == ["head 200", "body slow", "end"])
        #expect(server.requests.current.count == 1)
        #expect(onLoop(loop) { connection.isIdle })
        onLoop(loop) { connection.close() }
    }

    @Test func closingFailsTheRunningAndQueuedRequestsWithCancelled() throws {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.connection-close")
        let records = [TaskRecord(), TaskRecord()]
        let connection = onLoop(loop) { () -> HTTPConnection in
            let connection = HTTPConnection(endpoint: server.endpoint, on: loop)
            for record in records { _ = record.send(HTTPRequest(method: .get, target: "/"), on: connection) }
            return connection
        }
        #expect(eventually { server.requests.current.count == 1 })
        let deliveredInsideClose = onLoop(loop) { () -> Bool in
            connection.close()
            return records.contains { !$0.events.current.isEmpty }
        }
        #expect(!deliveredInsideClose)  // failures caused by a caller's own call arrive on a later turn
        #expect(eventually { records.allSatisfy(\.isDone) })
        for record in records { #expect(record.events.current == ["failed \(HTTPClientError.cancelled)"]) }
        #expect(onLoop(loop) { connection.isClosed })
    }

    @Test func cancellingAfterTheHeadClosesTheConnectionAndNothingElseIsDelivered() throws {
        let server = try ScriptedServer { peer in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
            peer.waitForClientClose()
            peer.send("0123456789")
        }
        defer { server.stop() }
        let loop = EventLoop(label: "test.connection-cancel")
        let record = TaskRecord()
        let connection = onLoop(loop) { HTTPConnection(endpoint: server.endpoint, on: loop) }
        let task = onLoop(loop) { record.send(HTTPRequest(method: .get, target: "/"), on: connection) }
        #expect(eventually { record.events.current == ["head 200"] })
        onLoop(loop) {
            task.cancel()
            task.cancel()
        }
        #expect(eventually { record.isDone })
        #expect(record.events.current == ["head 200", "failed \(HTTPClientError.cancelled)"])
        #expect(onLoop(loop) { connection.isClosed && task.isFinished })
    }

    @Test func defaultHostHeadersNameTheTCPEndpointAndLocalhostForUnixSockets() {
        #expect(HTTPConnection.defaultHostHeader(for: .tcp(host: "10.0.0.5", port: 5051)) == "10.0.0.5:5051")
        #expect(HTTPConnection.defaultHostHeader(for: .tcp(host: "::1", port: 80)) == "[::1]:80")
        #expect(HTTPConnection.defaultHostHeader(for: .unix(path: "/var/run/docker.sock")) == "localhost")
    }
}
