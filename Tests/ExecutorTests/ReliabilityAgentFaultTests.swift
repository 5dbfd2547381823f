import Dispatch
import EventLoop
import Foundation
import Simulators
import TestSupport
import Testing

@testable import Executor

/// One thing the agent does wrong, for a while.
enum AgentFault: CustomStringConvertible {
    case none
    /// The SUBSCRIBE stream ends: cleanly, with a FIN mid-body, or with a reset.
    case dropStream(SimulatedAgent.StreamDrop)
    /// The agent process restarts: stream gone, connections refused, then 503 while it recovers.
    case restart(downMilliseconds: Int, recoveringMilliseconds: Int)
    /// Every call, SUBSCRIBE included, answered 503 for a while (recovering agent).
    case answer503(milliseconds: Int)
    /// The next calls' connections close without an answer.
    case dropCalls(Int)
    /// ACKNOWLEDGED events held back for a while, then sent.
    case withholdAcknowledgements(milliseconds: Int)
    /// Calls never answered for a while (a hung agent): the executor's response timeout must fire.
    case stallCalls(milliseconds: Int)

    static func random(_ random: inout SeededGenerator) -> AgentFault {
        switch Int.random(in: 0...8, using: &random) {
        case 0: .none
        case 1: .dropStream(.close)
        case 2: .dropStream(.finish)
        case 3: .dropStream(.reset)
        case 4:
            .restart(
                downMilliseconds: Int.random(in: 10...200, using: &random),
                recoveringMilliseconds: Int.random(in: 0...150, using: &random))
        case 5: .answer503(milliseconds: Int.random(in: 10...200, using: &random))
        case 6: .dropCalls(Int.random(in: 1...3, using: &random))
        case 7: .withholdAcknowledgements(milliseconds: Int.random(in: 10...300, using: &random))
        default: .stallCalls(milliseconds: Int.random(in: 50...400, using: &random))
        }
    }

    var description: String {
        switch self {
        case .none: "none"
        case .dropStream(let how): "dropStream(\(how))"
        case .restart(let down, let recovering): "restart(down \(down) ms, 503 for \(recovering) ms)"
        case .answer503(let milliseconds): "503 for \(milliseconds) ms"
        case .dropCalls(let count): "drop \(count) call(s)"
        case .withholdAcknowledgements(let milliseconds): "withhold ACKs for \(milliseconds) ms"
        case .stallCalls(let milliseconds): "stall calls for \(milliseconds) ms"
        }
    }

    /// Applies the fault, waits out its duration, and puts the agent back to normal.
    func inject(into agent: SimulatedAgent) {
        func pause(_ milliseconds: Int) { Thread.sleep(forTimeInterval: Double(milliseconds) / 1000) }
        switch self {
        case .none:
            break
        case .dropStream(let how):
            agent.dropStream(how)
        case .restart(let down, let recovering):
            agent.availability = .refusingConnections
            pause(down)
            agent.availability = .answering(status: 503)
            pause(recovering)
            agent.availability = .normal
        case .answer503(let milliseconds):
            agent.availability = .answering(status: 503)
            pause(milliseconds)
            agent.availability = .normal
        case .dropCalls(let count):
            agent.dropNextCalls(count)
        case .withholdAcknowledgements(let milliseconds):
            agent.withholdsAcknowledgements = true
            pause(milliseconds)
            agent.withholdsAcknowledgements = false
            agent.releaseWithheldAcknowledgements()
        case .stallCalls(let milliseconds):
            agent.leavesCallsUnanswered = true
            pause(milliseconds)
            agent.leavesCallsUnanswered = false
        }
    }
}

/// Forwards a task's updates to the executor and keeps them, in order: what the executor produced.
final class ProducedUpdates: StatusReporter, @unchecked Sendable {
    private let forward: any StatusReporter
    private let lock = NSLock()
    private var recorded: [TaskStatusUpdate] = []

    init(forwardingTo forward: any StatusReporter) { self.forward = forward }

    var updates: [TaskStatusUpdate] { lock.withLock { recorded } }

    func report(_ update: TaskStatusUpdate) {
        lock.withLock { recorded.append(update) }
        forward.report(update)
    }
}

/// The real executor (MesosExecutor, AgentConnection, TaskSupervisor) on a real event loop against a
/// SimulatedAgent, with a scripted Docker engine, and timings shortened to milliseconds.
final class AgentFaultHarness: @unchecked Sendable {
    let agent: SimulatedAgent
    let loop = EventLoop(label: "agent-faults")
    let connection: AgentConnection
    let engine = FakeDockerEngine()
    private(set) var executor: MesosExecutor!
    private let lock = NSLock()
    private var exitStatuses: [Int32] = []
    private var produced: ProducedUpdates?

    init() throws {
        agent = try SimulatedAgent()
        agent.start()
        let variables = agent.environment(
            sandbox: "/tmp/sandbox", recoveryTimeout: .seconds(20), subscriptionBackoffMax: .milliseconds(20))
        var settings = AgentConnection.Settings()
        settings.resubscribeCeiling = .milliseconds(20)
        settings.callRetryInterval = .milliseconds(20)
        settings.responseTimeout = .milliseconds(300)
        connection = AgentConnection(loop: loop, environment: try AgentEnvironment.parse(variables), settings: settings)
        var executorSettings = MesosExecutor.Settings()
        executorSettings.exitFailSafe = .seconds(20)
        let supervisorSettings = TaskSupervisor.Settings(
            executor: ExecutorSettings(), sandboxDirectory: "/tmp/sandbox", waitRetryDelay: .milliseconds(1))
        loop.queue.sync {
            executor = MesosExecutor(
                loop: loop, connection: connection, settings: executorSettings,
                makeRunner: { [unowned self] context in
                    let reporter = ProducedUpdates(forwardingTo: context.reporter)
                    lock.withLock { produced = reporter }
                    var settings = supervisorSettings
                    settings.sendsKillingState = context.sendsKillingState
                    return TaskSupervisor(
                        settings: settings, loop: loop, engine: engine, reporter: reporter,
                        logSink: ContainerLogRecorder(), makeHealthChecking: { _ in NoHealthChecking() },
                        onFinished: context.onFinished)
                },
                exit: { [unowned self] status in lock.withLock { exitStatuses.append(status) } })
        }
    }

    func onLoop<T>(_ body: () -> T) -> T { loop.queue.sync(execute: body) }

    var exits: [Int32] { lock.withLock { exitStatuses } }
    var producedUpdates: [TaskStatusUpdate] { lock.withLock { produced }?.updates ?? [] }
    var producedStates: [TaskState] { producedUpdates.map(\.state) }

    func stop() {
        onLoop { connection.stop() }
        agent.stop()
    }
}

/// The agent drops the stream, restarts, refuses, answers 503, drops or stalls calls, or holds back
/// acknowledgements at random (seeded) moments of a task's life: every update the executor produced is
/// acknowledged in the end, in order, the terminal one included, and the executor exits 0.
struct ReliabilityAgentFaultTests {
    enum Ending: CaseIterable, CustomStringConvertible {
        case exitsZero, exitsThree, killed

        var description: String {
            switch self {
            case .exitsZero: "the container exits 0"
            case .exitsThree: "the container exits 3"
            case .killed: "the framework kills the task"
            }
        }

        var states: [TaskState] {
            switch self {
            case .exitsZero: [.starting, .running, .finished]
            case .exitsThree: [.starting, .running, .failed]
            case .killed: [.starting, .running, .killing, .killed]
            }
        }
    }

    /// Seeds 1 to 12 by default; `SIDECAR_TEST_FAULT_SEEDS=300` runs seeds 1 to 300 (a longer hunt).
    static let seeds: ClosedRange<UInt64> =
        1...max(1, ProcessInfo.processInfo.environment["SIDECAR_TEST_FAULT_SEEDS"].flatMap { UInt64($0) } ?? 12)

    @Test(arguments: seeds)
    func everyUpdateIsAcknowledgedWhateverTheAgentDoes(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let ending = Ending.allCases[random.below(Ending.allCases.count)]
        // Before the executor subscribes only faults that leave the queued LAUNCH in place make sense.
        let starts: [AgentFault] = [
            .none, .answer503(milliseconds: 100), .restart(downMilliseconds: 100, recoveringMilliseconds: 50),
        ]
        let atStart = starts[random.below(starts.count)]
        let moments = (0..<3).map { _ in (AgentFault.random(&random), Int.random(in: 0...20, using: &random)) }
        let schedule =
            "seed \(seed), \(ending); at start \(atStart); then "
            + moments.map { "\($0.0) after \($0.1) ms" }.joined(separator: ", ")

        let harness = try AgentFaultHarness()
        defer { harness.stop() }
        harness.agent.launch(SimulatedAgentTask(taskID: "t1"))
        let startFault = Thread { atStart.inject(into: harness.agent) }
        if case .none = atStart {
        } else {
            harness.agent.availability = .answering(status: 503)
            startFault.start()
        }
        harness.onLoop { harness.executor.start() }
        #expect(eventually(timeout: .seconds(120)) { harness.producedStates.contains(.running) }, "\(schedule)")

        // Faults land while the task runs, as it ends, and while its terminal update travels.
        let faults = DispatchGroup()
        for (index, (fault, delay)) in moments.enumerated() {
            if index == 1 { end(harness, ending, schedule: schedule) }
            Thread.sleep(forTimeInterval: Double(delay) / 1000)
            DispatchQueue.global().async(group: faults) { fault.inject(into: harness.agent) }
        }
        faults.wait()

        #expect(eventually(timeout: .seconds(120)) { !harness.exits.isEmpty }, "the executor never exited: \(schedule)")
        #expect(harness.exits == [0], "\(schedule)")
        #expect(harness.producedStates == ending.states, "\(schedule)")
        #expect(harness.onLoop { harness.connection.isSettled }, "unacknowledged updates remain: \(schedule)")
        #expect(harness.onLoop { harness.engine.calls.contains(.remove(FakeDockerEngine.containerID)) }, "\(schedule)")

        // The agent's side: each produced update reached it, in the order produced, and was acknowledged.
        let snapshot = harness.agent.snapshot
        let acknowledged = Set(
            snapshot.events.filter { $0["type"] == "ACKNOWLEDGED" }.compactMap {
                $0["acknowledged"]?["uuid"]?.stringValue
            })
        var firstSeen: [String] = []
        var statesByUUID: [String: (String?, String?)] = [:]
        for update in snapshot.updates {
            guard let uuid = update["uuid"]?.stringValue, statesByUUID[uuid] == nil else { continue }
            firstSeen.append(uuid)
            statesByUUID[uuid] = (update["state"]?.stringValue, update["message"]?.stringValue)
        }
        let produced = harness.producedUpdates.map { ($0.state.rawValue, $0.message) }
        let seen = firstSeen.compactMap { statesByUUID[$0] }
        #expect(seen.map(\.0) == produced.map(\.0), "order or count differs at the agent: \(schedule)")
        #expect(seen.map(\.1) == produced.map(\.1), "\(schedule)")
        #expect(
            firstSeen.allSatisfy(acknowledged.contains), "an update the agent got was never acknowledged: \(schedule)")
        #expect(snapshot.taskStates["t1"] == ending.states.last?.rawValue, "\(schedule)")
        #expect(harness.agent.agentGeneratedUpdates.isEmpty, "the agent dropped the task: \(schedule)")
    }

    /// Ends the task: the container exits on its own, or a KILL is sent until the executor has it (a KILL written
    /// to a stream that is being dropped is lost, as with the real agent).
    private func end(_ harness: AgentFaultHarness, _ ending: Ending, schedule: String) {
        switch ending {
        case .exitsZero:
            harness.onLoop { harness.engine.exit(statusCode: 0) }
        case .exitsThree:
            harness.onLoop { harness.engine.exit(statusCode: 3) }
        case .killed:
            let delivered = eventually(timeout: .seconds(120)) {
                _ = harness.agent.kill(taskID: "t1", gracePeriod: .seconds(1))
                return eventually(timeout: .milliseconds(100)) { harness.producedStates.contains(.killing) }
            }
            #expect(delivered, "the KILL never reached the executor: \(schedule)")
        }
    }
}
