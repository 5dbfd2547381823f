import Foundation
import Testing

@testable import EventLoop

struct WallClockTests {
    @Test func givesEpochSecondsWithSubsecondPrecision() {
        let now = WallClock.now()
        #expect(abs(now - Date().timeIntervalSince1970) < 5)
        #expect(now > 1_700_000_000)  // after November 2023: not a monotonic or zero-based clock
        let samples = (0..<1000).map { _ in WallClock.now() }
        #expect(samples.contains { $0 != $0.rounded(.down) })
    }
}
