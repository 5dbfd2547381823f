import EventLoop
import Foundation
import Glibc

/// Follows the engine's `die` events of the benchmark's containers on a thread of its own and records, per
/// container, the engine's own time of the death (`timeNano`, wall clock in nanoseconds): the origin of the
/// exit -> UPDATE and KILL -> stopped latencies.
final class DensityDieEvents: @unchecked Sendable {
    private let condition = NSCondition()
    private var deaths: [String: Int64] = [:]
    private var descriptor: Int32
    private var pending: [UInt8]
    private var thread: Thread?
    private var closed = false

    /// Subscribes to `die` events of containers labelled `label` (e.g. `density.run=ab12`).
    init(engine: DensityEngine, label: String) throws {
        let filters = "{\"type\":[\"container\"],\"event\":[\"die\"],\"label\":[\"\(label)\"]}"
        (descriptor, pending) = try engine.openEventStream(filters: filters)
        consumeLines()
        let thread = Thread { [self] in readLoop() }
        thread.name = "density-die-events"
        self.thread = thread
        thread.start()
    }

    /// The engine's time of the container's death, waiting up to `timeout` seconds for the event.
    func deathTime(of container: String, timeout: Double) -> Int64? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while deaths[container] == nil {
            guard condition.wait(until: deadline) else { break }
        }
        return deaths[container]
    }

    /// Closes the stream; the reading thread ends at its next read.
    func stop() {
        condition.lock()
        closed = true
        condition.unlock()
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    private func readLoop() {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            condition.lock()
            pending.append(contentsOf: chunk[0..<count])
            condition.unlock()
            consumeLines()
        }
        condition.lock()
        close(descriptor)
        descriptor = -1
        condition.unlock()
    }

    private func consumeLines() {
        condition.lock()
        defer { condition.unlock() }
        while let newline = pending.firstIndex(of: 10) {
            let line = Array(pending[..<newline])
            pending.removeSubrange(...newline)
            guard let event = try? JSON.parse(line), event["status"]?.stringValue == "die",
                let id = event["id"]?.stringValue, let time = event["timeNano"]?.int64Value
            else { continue }
            deaths[id] = time
            condition.broadcast()
        }
    }
}
