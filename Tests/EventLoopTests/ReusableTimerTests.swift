import Glibc
import Testing

@testable import EventLoop

struct ReusableTimerTests {
    @Test func anArmedTimerFiresOnceAndCanBeArmedAgain() {
        let loop = EventLoop(label: "test.reusable")
        let fired = Locked<[String]>([])
        let timer = onLoop(loop) { ReusableTimer(loop: loop) }
        onLoop(loop) { timer.arm(after: .milliseconds(2)) { fired.withValue { $0.append("first") } } }
        #expect(eventually { fired.current == ["first"] })
        #expect(onLoop(loop) { timer.isArmed } == false)
        onLoop(loop) { timer.arm(after: .milliseconds(2)) { fired.withValue { $0.append("second") } } }
        #expect(eventually { fired.current == ["first", "second"] })
        usleep(30_000)
        #expect(fired.current == ["first", "second"], "each arming fires once")
        onLoop(loop) { timer.cancel() }
    }

    @Test func armingAgainReplacesThePendingDeadline() {
        let loop = EventLoop(label: "test.reusable-replace")
        let fired = Locked<[String]>([])
        let timer = onLoop(loop) { () -> ReusableTimer in
            let timer = ReusableTimer(loop: loop)
            timer.arm(after: .seconds(3600)) { fired.withValue { $0.append("replaced") } }
            timer.arm(after: .milliseconds(2)) { fired.withValue { $0.append("current") } }
            return timer
        }
        #expect(eventually { fired.current == ["current"] })
        onLoop(loop) { timer.cancel() }
    }

    @Test func aDisarmedTimerDoesNotFire() {
        let loop = EventLoop(label: "test.reusable-disarm")
        let fired = Locked(0)
        let timer = onLoop(loop) { () -> ReusableTimer in
            let timer = ReusableTimer(loop: loop)
            timer.arm(after: .milliseconds(1)) { fired.withValue { $0 += 1 } }
            timer.disarm()
            return timer
        }
        usleep(30_000)
        _ = onLoop(loop) { true }
        #expect(fired.current == 0)
        #expect(onLoop(loop) { timer.isArmed } == false)
        onLoop(loop) { timer.cancel() }
    }

    @Test func aHandlerQueuedForAReplacedDeadlineRunsNothing() {
        let loop = EventLoop(label: "test.reusable-stale")
        let fired = Locked<[String]>([])
        let timer = onLoop(loop) { () -> ReusableTimer in
            let timer = ReusableTimer(loop: loop)
            timer.arm(after: .zero) { fired.withValue { $0.append("old") } }
            // Keep the loop busy past the deadline, so the handler is due (or already queued) when re-armed.
            usleep(20_000)
            timer.arm(after: .seconds(3600)) { fired.withValue { $0.append("new, too early") } }
            return timer
        }
        usleep(30_000)
        _ = onLoop(loop) { true }
        #expect(fired.current.isEmpty, "\(fired.current)")
        #expect(onLoop(loop) { timer.isArmed })
        onLoop(loop) { timer.cancel() }
    }

    @Test func aCancelledTimerNeverFiresAndCannotBeArmed() {
        let loop = EventLoop(label: "test.reusable-cancel")
        let fired = Locked(0)
        _ = onLoop(loop) { () -> Bool in
            let timer = ReusableTimer(loop: loop)
            timer.arm(after: .milliseconds(1)) { fired.withValue { $0 += 1 } }
            timer.cancel()
            timer.cancel()  // idempotent
            timer.arm(after: .milliseconds(1)) { fired.withValue { $0 += 1 } }
            return timer.isArmed
        }
        usleep(30_000)
        _ = onLoop(loop) { true }
        #expect(fired.current == 0)
    }
}
