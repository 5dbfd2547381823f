import Foundation

/// The demo's output: headlines for what the demo does, indented lines for what the peers see.
final class DemoConsole: @unchecked Sendable {
    private let lock = NSLock()
    private let start = ContinuousClock.now

    func headline(_ text: String) { emit("\n==> \(text)") }
    func detail(_ text: String) { emit("    \(text)") }
    func failure(_ text: String) { emit("\ndemo FAILED: \(text)") }

    func elapsed(since instant: ContinuousClock.Instant) -> String {
        let milliseconds = (ContinuousClock.now - instant).components
        let total = Double(milliseconds.seconds) + Double(milliseconds.attoseconds) * 1e-18
        return String(format: "%.1f s", total)
    }

    private func emit(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        let stamp = elapsed(since: start)
        let line = text.hasPrefix("\n") ? text : "[\(stamp.padding(toLength: 7, withPad: " ", startingAt: 0))] \(text)"
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
