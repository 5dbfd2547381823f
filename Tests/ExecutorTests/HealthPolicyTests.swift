import Testing

@testable import Executor

struct HealthPolicyTests {
    /// Feeds `statuses` (nil = a poll without verdict) and returns every decision.
    private func run(_ statuses: [ServiceStatus?], maxFails: Int = 3) -> [HealthPolicy.Decision] {
        var policy = HealthPolicy(maxFails: maxFails)
        return statuses.map { policy.record($0) }
    }

    private func failedIndex(_ decisions: [HealthPolicy.Decision]) -> Int? {
        decisions.firstIndex {
            if case .failed = $0 { return true }
            return false
        }
    }

    @Test func aHealthyServiceNeverFails() {
        let decisions = run(Array(repeating: .alive, count: 50))
        #expect(failedIndex(decisions) == nil)
        #expect(decisions.first == .healthy(changed: true))
        #expect(decisions.dropFirst().allSatisfy { $0 == .healthy(changed: false) })
    }

    @Test func theFourthConsecutiveUnhealthyPollFailsWithMaxFailsThree() {
        let decisions = run([.alive, .unhealthy, .unhealthy, .unhealthy, .unhealthy])
        #expect(decisions[1] == .unhealthy(consecutive: 1, changed: true))
        #expect(decisions[2] == .unhealthy(consecutive: 2, changed: false))
        #expect(decisions[3] == .unhealthy(consecutive: 3, changed: false))
        #expect(
            decisions[4]
                == .failed(
                    message:
                        "Sidecar reported the service UNHEALTHY on 4 consecutive polls (EXECUTOR_SIDECAR_MAX_FAILS is 3)."
                ))
    }

    @Test func theFailingPollIsMaxFailsPlusOneForEveryThreshold() {
        for maxFails in 0...6 {
            let decisions = run(Array(repeating: .unhealthy, count: 10), maxFails: maxFails)
            #expect(failedIndex(decisions) == maxFails, "max fails \(maxFails)")
        }
    }

    @Test func maxFailsZeroFailsOnTheFirstFailingPoll() {
        let decisions = run([.tombstone], maxFails: 0)
        #expect(
            decisions == [
                .failed(message: "Sidecar reported the service TOMBSTONE on 1 poll (EXECUTOR_SIDECAR_MAX_FAILS is 0).")
            ])
    }

    @Test func aNegativeMaxFailsIsTreatedAsZero() {
        #expect(HealthPolicy(maxFails: -2).maxFails == 0)
        #expect(failedIndex(run([.unhealthy], maxFails: -2)) == 0)
    }

    @Test func anAliveBetweenFailuresResetsTheCount() {
        let decisions = run([
            .unhealthy, .unhealthy, .unhealthy, .alive, .unhealthy, .unhealthy, .unhealthy, .unhealthy,
        ])
        #expect(failedIndex(decisions) == 7)
    }

    @Test(arguments: [ServiceStatus.unknown, .draining, .alive, .other(7)])
    func nonFailingStatusesResetTheCount(status: ServiceStatus) {
        let decisions = run([.unhealthy, .unhealthy, .unhealthy, status, .unhealthy, .unhealthy, .unhealthy])
        #expect(failedIndex(decisions) == nil)
        #expect(decisions[3] == .healthy(changed: true))
    }

    @Test func tombstoneCountsLikeUnhealthy() {
        let decisions = run([.tombstone, .tombstone, .tombstone, .tombstone])
        #expect(
            decisions[3]
                == .failed(
                    message:
                        "Sidecar reported the service TOMBSTONE on 4 consecutive polls (EXECUTOR_SIDECAR_MAX_FAILS is 3)."
                ))
    }

    @Test func aMixedRunNamesBothVerdictsAndTheLastOne() {
        let decisions = run([.unhealthy, .tombstone, .unhealthy, .tombstone])
        #expect(
            decisions[3]
                == .failed(
                    message: "Sidecar reported the service UNHEALTHY or TOMBSTONE on 4 consecutive polls,"
                        + " TOMBSTONE on the last one (EXECUTOR_SIDECAR_MAX_FAILS is 3)."
                ))
    }

    @Test func pollsWithoutVerdictNeitherCountNorReset() {
        let decisions = run([.unhealthy, nil, .unhealthy, nil, nil, .unhealthy, nil, .unhealthy])
        #expect(decisions[1] == .noVerdict)
        #expect(decisions[5] == .unhealthy(consecutive: 3, changed: false))
        #expect(failedIndex(decisions) == 7)
    }

    @Test func onlyPollsWithoutVerdictNeverFailNorReport() {
        let decisions = run(Array(repeating: nil, count: 20))
        #expect(decisions.allSatisfy { $0 == .noVerdict })
    }

    @Test func unhealthyVerdictsBeforeTheFirstHealthyOneAreNotReported() {
        let decisions = run([.unhealthy, .unknown, .unhealthy])
        #expect(decisions[0] == .unhealthy(consecutive: 1, changed: false))
        #expect(decisions[1] == .healthy(changed: true))
        #expect(decisions[2] == .unhealthy(consecutive: 1, changed: true))
    }

    @Test func everyFlipIsReportedExactlyOnce() {
        let statuses: [ServiceStatus?] = [
            .alive, .alive, nil, .unhealthy, .unhealthy, nil, .draining, .unknown, .tombstone, .alive, .alive,
        ]
        var policy = HealthPolicy(maxFails: 3)
        var reported: [Bool] = []
        for status in statuses {
            switch policy.record(status) {
            case .healthy(changed: true): reported.append(true)
            case .unhealthy(_, changed: true): reported.append(false)
            default: break
            }
        }
        #expect(reported == [true, false, true, false, true])
        #expect(policy.reportedHealthy == true)
    }

    @Test func theCountStartsAfreshAfterAFailure() {
        var policy = HealthPolicy(maxFails: 1)
        _ = policy.record(.unhealthy)
        #expect(policy.failCount == 1)
        if case .failed = policy.record(.unhealthy) {} else { Issue.record("the second failing poll must fail") }
        #expect(policy.failCount == 0)
        #expect(policy.record(.unhealthy) == .unhealthy(consecutive: 1, changed: false))
    }
}
