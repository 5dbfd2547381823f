import EventLoop
import Foundation
import Simulators

/// Prints each status update as the simulated agent receives it, and waits for the ones the demo expects.
final class DemoUpdateWatcher {
    /// The parts of a TaskStatus the demo shows.
    struct Update {
        var state: String
        var message: String?
        var reason: String?
        var healthy: Bool?
        var containerID: String?

        init(_ status: JSONValue) {
            state = status["state"]?.stringValue ?? "?"
            message = status["message"]?.stringValue
            reason = status["reason"]?.stringValue
            healthy = status["healthy"]?.boolValue
            containerID =
                status["labels"]?["labels"]?.arrayValue?
                .first { $0["key"]?.stringValue == "docker_id" }?["value"]?.stringValue
        }

        var line: String {
            var text = state.padding(toLength: 14, withPad: " ", startingAt: 0)
            if let healthy { text += " healthy=\(healthy)" }
            if let message { text += "  \(message)" }
            if let reason { text += "  (\(reason))" }
            return text
        }
    }

    private let agent: SimulatedAgent
    private let console: DemoConsole
    private var shown = 0
    private var seen: [Update] = []

    init(agent: SimulatedAgent, console: DemoConsole) {
        self.agent = agent
        self.console = console
    }

    /// Prints new updates until one matches; returns it, or nil after `timeout` seconds.
    func waitFor(timeout: Double, _ matches: (Update) -> Bool) -> Update? {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        var searched = 0
        while ContinuousClock.now < deadline {
            let updates = agent.updates
            while shown < updates.count {
                let update = Update(updates[shown])
                seen.append(update)
                console.detail("agent <- \(update.line)")
                shown += 1
            }
            while searched < seen.count {
                defer { searched += 1 }
                if matches(seen[searched]) { return seen[searched] }
            }
            _ = agent.wait(timeout: .milliseconds(100)) { $0.updates.count > updates.count }
        }
        return nil
    }
}
