import Foundation
import Testing

/// Something outside the test process that some suites need: the project's private Docker engine, the release
/// binary that `executor.sh` deploys (and, as suites are added, a real Mesos agent).
///
/// A bare `swift test` skips a suite whose peer is missing and says why once, for the whole suite: its `.requires(...)`
/// trait cancels it before any of its tests starts (`➜ Suite … was cancelled …: "skipped: <reason>"`; the run passes).
/// The test command requires every peer: `scripts/test.sh` exports
/// `SIDECAR_TEST_REQUIRE_<NAME>=1`, and then the suite runs whatever the probe found, so its tests fail with the
/// reason (`require()`): CI fails when, say, the engine cannot start, instead of passing with the suite skipped.
///
/// A new peer is a `static let` here with its probe, and `.requires(.thatPeer)` on the suites that need it.
struct TestPeer: Sendable {
    /// Upper case; names the variable that makes the peer required: DOCKER → SIDECAR_TEST_REQUIRE_DOCKER.
    let name: String
    /// Why the peer cannot be used here, or nil when it can. Probed once, when the suites' traits are built.
    let unavailableReason: String?

    init(name: String, probe: () -> String?) {
        self.name = name
        unavailableReason = probe()
    }

    var requirementVariable: String { "SIDECAR_TEST_REQUIRE_\(name)" }

    /// Set by the test command: a missing peer then fails the suite rather than skipping it.
    var isRequired: Bool { Self.isRequiredByEnvironment(name) }

    static func isRequiredByEnvironment(_ name: String) -> Bool {
        ProcessInfo.processInfo.environment["SIDECAR_TEST_REQUIRE_\(name)"] == "1"
    }

    /// Whether a suite that needs the peer runs: when the peer is there, or when it is required (and then fails).
    var runsSuites: Bool { unavailableReason == nil || isRequired }

    /// The printed reason of a skip.
    var skipComment: String {
        "\(unavailableReason ?? "available"); \(requirementVariable)=1 (scripts/test.sh sets it) makes this a failure"
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// Throws the reason when the peer is missing: a test calls it before it uses the peer, so that a required peer
    /// that is not there fails the test with the reason, not with whatever using it breaks first.
    func require() throws {
        if let unavailableReason { throw Missing(description: "\(name): \(unavailableReason)") }
    }
}

extension TestPeer {
    /// The project's private engine, as `scripts/test.sh` (or `scripts/docker-engine.sh start` plus `$ENGINE_DIR/env`)
    /// exports it, answering.
    static let docker = TestPeer(name: "DOCKER") {
        do {
            _ = try DockerTestEngine.require()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The real Mesos master and agent of `scripts/mesos-agent.sh start`, as its env file describes them.
    static let mesos = TestPeer(name: "MESOS") { RealMesosCluster.unavailableReason }

    /// `.build/release/sidecar-executor`, the binary `executor.sh` deploys, built from the sources as they are.
    static let releaseBinary = TestPeer(name: "RELEASE_BINARY") {
        ProgramUnderTest.releaseBinaryProblem()
    }
}

/// The trait behind `.requires(_:)`: wraps the suite (or test) and cancels it, with the reason, before anything in it
/// runs when its peer is missing and not required. On a suite it is one printed line for the whole suite.
struct PeerRequirement: SuiteTrait, TestTrait, TestScoping {
    let peer: TestPeer

    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        if !peer.runsSuites { try Test.cancel(Comment(rawValue: "skipped: \(peer.skipComment)")) }
        try await function()
    }
}

extension Trait where Self == PeerRequirement {
    /// Runs the suite (or test) when `peer` is there, or when the test command requires it; otherwise cancels it with
    /// one printed reason.
    static func requires(_ peer: TestPeer) -> Self {
        PeerRequirement(peer: peer)
    }
}
