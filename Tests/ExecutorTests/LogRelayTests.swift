import EventLoop
import Foundation
import Testing

@testable import Executor

/// The relay on a loop, sending to a real UDP listener: the records a collector receives, line splitting, the
/// startup-only window, the stdout copy and the failed dial.
struct LogRelayTests {
    final class Harness: @unchecked Sendable {
        let loop = EventLoop(label: "log-relay-tests")
        let listener: UDPListener
        var relay: LogRelay?
        var failure: LogRelayError?
        let stdoutPath: String
        let stdoutFD: Int32
        var stdout: OutputWriter!

        init(_ change: (inout LogRelaySettings) -> Void = { _ in }) throws {
            listener = try UDPListener()
            stdoutPath =
                FileManager.default.temporaryDirectory.appendingPathComponent("relay-\(UUID().uuidString)")
                .path
            stdoutFD = open(stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            var settings = LogRelaySettings()
            settings.relayAlways = true
            settings.address = "127.0.0.1:\(listener.port)"
            settings.hostname = "h1"
            change(&settings)
            loop.queue.sync {
                stdout = OutputWriter(fileDescriptor: stdoutFD, loop: loop)
                LogRelay.open(settings: settings, loop: loop, stdout: stdout, clock: { 1_627_302_896.7 }) {
                    switch $0 {
                    case .success(let relay): self.relay = relay
                    case .failure(let error): self.failure = error
                    }
                }
            }
        }

        func onLoop(_ body: (LogRelay) -> Void) {
            loop.queue.sync { if let relay { body(relay) } }
        }

        var copied: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }

        deinit {
            loop.queue.sync { relay?.close() }
            listener.close()
            Foundation.close(stdoutFD)
            unlink(stdoutPath)
        }
    }

    static let body: JSONValue = ["Labels": ["ServiceName": "web", "EnvironmentName": "prod", "Other": "x"]]

    static func record(_ payload: String, level: String = "info", extra: String = "") -> String {
        let timestamp = LogRelayRecord.rfc3339(
            epochSeconds: 1_627_302_896, utcOffset: Posix.localUTCOffset(epochSeconds: 1_627_302_896))
        return #"{"Hostname":"h1","Level":"\#(level)","Payload":"\#(payload)",\#(extra)"Timestamp":"\#(timestamp)"}"#
            + "\n"
    }

    @Test func everyLineBecomesOneRecordAfterTheFirstOneNamingTheContainer() throws {
        let harness = try Harness { $0.labels = ["ServiceName", "Missing"] }
        harness.onLoop { relay in
            relay.start(containerID: "0123456789abcdef0123", createBody: Self.body)
            relay.relay(Array("one\ntw".utf8), from: .stdout)
            relay.relay(Array("o\r\n".utf8), from: .stdout)
            relay.relay(Array("an Error <here> & there\nnot bad\n".utf8), from: .stderr)
        }
        let received = harness.listener.receive(5)
        let label = #""ServiceName":"web","#
        #expect(
            received == [
                Self.record("sidecar-executor starting log pump for '0123456789ab'", extra: label),
                Self.record("one", extra: label), Self.record("two", extra: label),
                Self.record("an Error \\u003chere\\u003e \\u0026 there", level: "error", extra: label),
                Self.record("not bad", extra: label),
            ])
        #expect(harness.copied.isEmpty, "no stdout copy unless asked")
    }

    @Test func theStdoutCopyHoldsTheSameRecords() throws {
        let harness = try Harness { $0.copyToStdout = true }
        harness.onLoop { relay in
            relay.start(containerID: "0123456789abcdef0123", createBody: Self.body)
            relay.relay(Array("hello\n".utf8), from: .stdout)
        }
        let received = harness.listener.receive(2)
        #expect(received.count == 2)
        #expect(harness.copied == received.joined())
    }

    @Test func aStartupOnlyRelayStopsAfterItsWindow() throws {
        let harness = try Harness {
            $0.relayAlways = false
            $0.startupOnly = true
            $0.startupTime = .milliseconds(200)
        }
        harness.onLoop { relay in
            relay.start(containerID: "0123456789abcdef0123", createBody: Self.body)
            relay.relay(Array("inside the window\n".utf8), from: .stdout)
        }
        #expect(harness.listener.receive(2).last == Self.record("inside the window"))
        // Wait on the event: the relay leaves its window (the timer fired on the loop).
        let loop = harness.loop
        #expect(DockerTestEngine.waitUntil(loop) { harness.relay?.isRelayingForTests == false })
        harness.onLoop { $0.relay(Array("after the window\n".utf8), from: .stdout) }
        harness.onLoop { $0.relay(Array("marker\n".utf8), from: .stdout) }
        harness.onLoop { $0.close() }
        #expect(harness.loop.queue.sync { harness.relay?.sentForTests } == 2, "nothing after the window")
    }

    @Test func anOverlongLineIsCutIntoRecords() throws {
        let harness = try Harness()
        harness.onLoop { relay in
            relay.start(containerID: "0123456789abcdef0123", createBody: Self.body)
            relay.relay([UInt8](repeating: 97, count: LogRelay.maxLine + 10) + [10], from: .stdout)
        }
        let received = harness.listener.receive(3)
        #expect(received.count == 3)
        #expect(received.dropFirst().first?.contains(String(repeating: "a", count: LogRelay.maxLine)) == true)
        #expect(received.last == Self.record(String(repeating: "a", count: 10)))
    }

    @Test(arguments: ["127.0.0.1", "nonsense:port", "unix:///tmp/x", "256.1.1.1:514"])
    func anAddressThatCannotBeDialledIsAClearFailure(address: String) throws {
        let harness = try Harness { $0.address = address }
        #expect(DockerTestEngine.waitUntil(harness.loop) { harness.failure != nil })
        let message = harness.loop.queue.sync { harness.failure?.description } ?? ""
        #expect(message.hasPrefix("The log relay cannot start: EXECUTOR_SYSLOG_ADDR='\(address)'"), "\(message)")
    }
}
