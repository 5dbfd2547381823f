import EventLoop
import Foundation
import Glibc
import Simulators

/// Wall-clock time in nanoseconds since the epoch: the clock the engine's `timeNano` uses, so that the
/// benchmark's instants and the engine's can be subtracted.
func densityWallNanoseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
}

/// A thread already waiting on the simulated agent when the action under test starts, so the instant a matching
/// update arrives is taken when the agent's lock broadcasts it, not when the benchmark gets round to looking.
final class DensityAgentWatch: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let ready = DispatchSemaphore(value: 0)
    private var arrival: Int64?

    /// Starts watching `agent` for a snapshot where `predicate` holds; returns once the thread is waiting.
    init(
        agent: SimulatedAgent, timeout: Duration,
        until predicate: @escaping @Sendable (SimulatedAgent.Snapshot) -> Bool
    ) {
        let thread = Thread { [self] in
            var first = true
            let matched = agent.wait(timeout: timeout) { snapshot in
                // The first evaluation happens under the agent's lock, right before the thread sleeps.
                if first {
                    first = false
                    ready.signal()
                }
                return predicate(snapshot)
            }
            arrival = matched ? densityWallNanoseconds() : nil
            done.signal()
        }
        thread.stackSize = 256 * 1024
        thread.start()
        ready.wait()
    }

    /// The wall-clock instant the matching update arrived, or nil when none came within the timeout.
    func arrivalTime() -> Int64? {
        done.wait()
        return arrival
    }
}

/// What a TaskStatus the agent received says, for the benchmark's predicates.
enum DensityStatus {
    static let terminalStates: Set<String> = [
        "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_GONE",
    ]

    static func isTerminal(_ status: JSONValue) -> Bool {
        terminalStates.contains(status["state"]?.stringValue ?? "")
    }

    static func state(_ status: JSONValue) -> String { status["state"]?.stringValue ?? "?" }

    static func containerID(_ status: JSONValue) -> String? {
        status["labels"]?["labels"]?.arrayValue?.first { $0["key"]?.stringValue == "docker_id" }?["value"]?
            .stringValue
    }
}
