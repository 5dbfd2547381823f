import Dispatch
import Glibc
import Testing

@testable import EventLoop

struct ScheduledTimerTests {
    @Test func oneShotTimerFiresExactlyOnceAndBecomesInactive() {
        let loop = EventLoop(label: "test.oneshot")
        let fired = Locked(0)
        let timer = onLoop(loop) { loop.schedule(after: .milliseconds(5)) { fired.withValue { $0 += 1 } } }
        #expect(eventually { fired.current == 1 })
        // A repeating bug would show up within a few more intervals.
        usleep(50_000)
        #expect(fired.current == 1)
        #expect(onLoop(loop) { timer.isActive } == false)
    }

    @Test func oneShotTimerRunsOnTheLoop() {
        let loop = EventLoop(label: "test.oneshot-queue")
        let ranOnLoop = Locked<Bool?>(nil)
        _ = onLoop(loop) { loop.schedule(after: .zero) { ranOnLoop.withValue { $0 = loop.isOnLoop } } }
        #expect(eventually { ranOnLoop.current != nil })
        #expect(ranOnLoop.current == true)
    }

    @Test func repeatingTimerFiresRepeatedlyUntilCancelled() {
        let loop = EventLoop(label: "test.repeating")
        let fired = Locked(0)
        let timer = onLoop(loop) {
            loop.scheduleRepeating(every: .milliseconds(2), firstAfter: .zero) { fired.withValue { $0 += 1 } }
        }
        #expect(eventually { fired.current >= 3 })
        let countAtCancel = onLoop(loop) { () -> Int in
            timer.cancel()
            return fired.current
        }
        usleep(50_000)
        #expect(fired.current == countAtCancel)
        #expect(onLoop(loop) { timer.isActive } == false)
    }

    @Test func repeatingTimerCanCancelItselfFromItsOwnWork() {
        let loop = EventLoop(label: "test.self-cancel")
        let fired = Locked(0)
        let holder = Locked<ScheduledTimer?>(nil)
        _ = onLoop(loop) {
            let timer = loop.scheduleRepeating(every: .milliseconds(1)) {
                let count = fired.withValue {
                    $0 += 1
                    return $0
                }
                if count == 3 { holder.current?.cancel() }
            }
            holder.withValue { $0 = timer }
            return true
        }
        #expect(eventually { fired.current >= 3 })
        usleep(30_000)
        #expect(fired.current == 3)
    }

    @Test func cancelledTimerNeverFires() {
        let loop = EventLoop(label: "test.cancel")
        let fired = Locked(0)
        _ = onLoop(loop) { () -> Bool in
            let timer = loop.schedule(after: .milliseconds(1)) { fired.withValue { $0 += 1 } }
            timer.cancel()
            timer.cancel()  // idempotent
            return timer.isActive
        }
        usleep(30_000)
        _ = onLoop(loop) { true }
        #expect(fired.current == 0)
    }

    @Test func timerCancelledAfterItsDeadlinePassedStillNeverFires() {
        let loop = EventLoop(label: "test.cancel-late")
        let fired = Locked(0)
        _ = onLoop(loop) { () -> Bool in
            let timer = loop.schedule(after: .zero, leeway: .zero) { fired.withValue { $0 += 1 } }
            // Keep the loop busy past the deadline, so the handler is due (or already queued) when we cancel.
            usleep(20_000)
            timer.cancel()
            return true
        }
        usleep(30_000)
        _ = onLoop(loop) { true }
        #expect(fired.current == 0)
    }

    @Test func defaultLeewayIsAFractionOfTheIntervalWithinBounds() {
        #expect(ScheduledTimer.defaultLeeway(for: .seconds(1)) == .milliseconds(50))
        #expect(ScheduledTimer.defaultLeeway(for: .microseconds(10)) == .milliseconds(1))
        #expect(ScheduledTimer.defaultLeeway(for: .seconds(60)) == .milliseconds(250))
    }
}
