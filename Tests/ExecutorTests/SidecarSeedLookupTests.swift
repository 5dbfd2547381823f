import EventLoop
import Foundation
import Simulators
import Testing

@testable import Executor

/// EXECUTOR_SEED_SIDECAR over loopback: a simulated agent's `/state` names the master, a simulated master's
/// `/slaves` lists the agents; every failure leaves SIDECAR_SEEDS out.
@Suite(.serialized)
final class SidecarSeedLookupTests {
    let agent: SimulatedAgent
    let master: SimulatedMesosMaster
    let loop = EventLoop(label: "seeds")

    init() throws {
        agent = try SimulatedAgent()
        agent.masterHostname = "127.0.0.1"
        agent.start()
        master = try SimulatedMesosMaster(agentHostnames: ["agent-1.example", "agent-2.example", "agent-3.example"])
        master.start()
    }

    deinit {
        agent.stop()
        master.stop()
    }

    /// The lookup's answer (nil: left out); `.none` when it never answered.
    private func lookUp(
        agentEndpoint: String? = nil, masterPort: String? = nil, timeout: Duration = .seconds(2)
    ) -> String?? {
        let result = Box()
        let lookup = SidecarSeedLookup(
            loop: loop, agentEndpoint: agentEndpoint ?? agent.endpointString,
            masterPort: masterPort ?? String(master.port), timeout: timeout)
        loop.queue.sync { lookup.start { result.value = .some($0) } }
        _ = eventually(timeout: .seconds(20)) { self.loop.queue.sync { result.value != nil } }
        return loop.queue.sync { result.value }
    }

    private final class Box: @unchecked Sendable {
        var value: String??
    }

    @Test func theSeedsAreTheMastersAgentsInOrder() {
        #expect(lookUp() == .some("SIDECAR_SEEDS=agent-1.example,agent-2.example,agent-3.example"))
        #expect(agent.calls.isEmpty, "/state is not an executor call")
        #expect(master.requests == ["GET /slaves"])
    }

    @Test func anUnreachableAgentLeavesTheSeedsOut() throws {
        let port = try DockerTestEngine.freePort()
        #expect(lookUp(agentEndpoint: "127.0.0.1:\(port)") == .some(nil))
        #expect(master.requests.isEmpty)
    }

    @Test func anAgentWithoutAMasterLeavesTheSeedsOut() {
        agent.masterHostname = nil
        #expect(lookUp() == .some(nil))
        #expect(master.requests.isEmpty)
    }

    @Test func anUnreachableMasterLeavesTheSeedsOut() throws {
        let port = try DockerTestEngine.freePort()
        #expect(lookUp(masterPort: String(port)) == .some(nil))
    }

    @Test func aMasterPortThatIsNotAPortLeavesTheSeedsOut() {
        #expect(lookUp(masterPort: "abc") == .some(nil))
        #expect(master.requests.isEmpty)
    }

    @Test(arguments: [
        SimulatedMesosMaster.Mode.status(503, body: "Service Unavailable"), .body("{\"slaves\":{}}"), .refuse,
    ])
    func aMasterThatDoesNotAnswerTheListLeavesTheSeedsOut(mode: SimulatedMesosMaster.Mode) {
        master.mode = mode
        #expect(lookUp() == .some(nil))
    }

    @Test func aHungMasterLeavesTheSeedsOutAfterTheHTTPTimeout() {
        master.mode = .hang
        #expect(lookUp(timeout: .milliseconds(200)) == .some(nil))
    }

    /// The original did not look at the status: a JSON list is used whatever the status line says.
    @Test func theStatusIsNotLookedAtAsInTheOriginal() {
        master.mode = .body(#"{"slaves":[{"hostname":"only"}]}"#)
        #expect(lookUp() == .some("SIDECAR_SEEDS=only"))
    }

    @Test func theSeedingEngineAddsTheVariableLastOrLeavesTheBodyAlone() {
        let body: JSONValue = ["Image": "x", "Env": ["SIDECAR_SEEDS=from-param", "A=1"]]
        #expect(
            SidecarSeedingEngine.adding("SIDECAR_SEEDS=h1,h2", to: body)["Env"]
                == ["SIDECAR_SEEDS=from-param", "A=1", "SIDECAR_SEEDS=h1,h2"])
        #expect(SidecarSeedingEngine.adding(nil, to: body) == body)
    }

    @Test func theSeedingEngineLooksUpBeforeEachCreate() {
        let fake = FakeDockerEngine()
        let engine = SidecarSeedingEngine(wrapping: fake) { [self] in
            SidecarSeedLookup(
                loop: loop, agentEndpoint: agent.endpointString, masterPort: String(master.port),
                timeout: .seconds(2))
        }
        let created = Box()
        loop.queue.sync {
            engine.createContainer(name: "mesos-x", body: ["Env": ["A=1"]]) { result in
                created.value = .some((try? result.get()) ?? "failed")
            }
            #expect(fake.createdBodies.isEmpty, "the create waits for the lookup")
        }
        #expect(eventually { self.loop.queue.sync { created.value != nil } })
        loop.queue.sync {
            #expect(
                fake.createdBodies.first?["Env"]
                    == ["A=1", "SIDECAR_SEEDS=agent-1.example,agent-2.example,agent-3.example"])
        }
    }
}
