import TestSupport
import Testing

@testable import Executor

struct ResubscribeScheduleTests {
    private let schedule = ResubscribeSchedule(
        floor: .milliseconds(20), ceiling: .milliseconds(250), backoffMax: .seconds(2))

    @Test func theBoundDoublesFromTheFloorUpToTheCeiling() {
        let bounds = (1...6).map { schedule.bound(afterFailures: $0) }
        #expect(
            bounds == [
                .milliseconds(20), .milliseconds(40), .milliseconds(80), .milliseconds(160), .milliseconds(250),
                .milliseconds(250),
            ])
        #expect(schedule.bound(afterFailures: 1000) == .milliseconds(250), "a long outage stays at the ceiling")
    }

    @Test func eachWaitIsInTheUpperHalfOfItsBound() {
        for failures in 1...8 {
            let bound = schedule.bound(afterFailures: failures)
            #expect(schedule.delay(afterFailures: failures, unit: 0) == bound / 2)
            #expect(schedule.delay(afterFailures: failures, unit: 1) == bound)
            #expect(schedule.delay(afterFailures: failures, unit: 0.5) == bound * 0.75)
        }
        // Out-of-range draws are clamped.
        #expect(schedule.delay(afterFailures: 1, unit: -3) == .milliseconds(10))
        #expect(schedule.delay(afterFailures: 1, unit: 7) == .milliseconds(20))
    }

    @Test func theAgentsBackoffMaxLowersTheCeilingButNeverBelowTheFloor() {
        let short = ResubscribeSchedule(
            floor: .milliseconds(20), ceiling: .milliseconds(250), backoffMax: .milliseconds(100))
        #expect(short.ceiling == .milliseconds(100))
        #expect(short.bound(afterFailures: 10) == .milliseconds(100))
        let zero = ResubscribeSchedule(floor: .milliseconds(20), ceiling: .milliseconds(250), backoffMax: .zero)
        #expect(zero.ceiling == .milliseconds(20), "a zero backoff cannot turn the probe into a busy loop")
    }

    @Test func executorsThatLostTheAgentTogetherAreSpreadOverHalfTheCeiling() {
        var generator = SeededGenerator(seed: 42)
        let waits = (0..<500).map { _ in
            schedule.delay(afterFailures: 10, unit: Double(generator.next() % 1_000_001) / 1_000_000)
        }
        #expect(waits.allSatisfy { $0 >= .milliseconds(125) && $0 <= .milliseconds(250) })
        // Spread: each of five 25 ms slices of the window gets some of the 500.
        for slice in 0..<5 {
            let low = Duration.milliseconds(125 + 25 * slice)
            #expect(waits.contains { $0 >= low && $0 <= low + .milliseconds(25) })
        }
    }
}
