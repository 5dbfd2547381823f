import Dispatch
import Testing

@testable import EventLoop

struct EventLoopTests {
    @Test func executeRunsWorkInSubmissionOrder() {
        let loop = EventLoop(label: "test.order")
        let order = Locked<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        for index in 0..<200 {
            loop.execute {
                order.withValue { $0.append(index) }
                if index == 199 { done.signal() }
            }
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(order.current == Array(0..<200))
    }

    @Test func workSubmittedFromManyThreadsRunsOneAtATime() {
        let loop = EventLoop(label: "test.serial")
        let state = Locked((running: 0, maxRunning: 0, finished: 0))
        let group = DispatchGroup()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<50 {
                group.enter()
                loop.execute {
                    state.withValue {
                        $0.running += 1
                        $0.maxRunning = max($0.maxRunning, $0.running)
                    }
                    state.withValue {
                        $0.running -= 1
                        $0.finished += 1
                    }
                    group.leave()
                }
            }
        }
        #expect(group.wait(timeout: .now() + 10) == .success)
        #expect(state.current.maxRunning == 1)
        #expect(state.current.finished == 400)
    }

    @Test func isOnLoopIsTrueOnlyOnItsOwnQueue() {
        let loop = EventLoop(label: "test.onloop")
        let other = EventLoop(label: "test.other")
        #expect(!loop.isOnLoop)
        #expect(onLoop(loop) { loop.isOnLoop })
        #expect(onLoop(loop) { !other.isOnLoop })
        #expect(
            onLoop(loop) {
                loop.assertOnLoop()
                return true
            })
    }

    @Test func monotonicClockNeverGoesBackwards() {
        var previous = EventLoop.monotonicNow()
        for _ in 0..<1000 {
            let now = EventLoop.monotonicNow()
            #expect(now >= previous)
            previous = now
        }
        let loop = EventLoop(label: "test.now")
        let first = loop.now
        #expect(loop.now >= first)
    }

    @Test func durationsConvertToDispatchNanosecondsWithoutOverflow() {
        #expect(Duration.milliseconds(1500).clampedNanoseconds == 1_500_000_000)
        #expect(Duration.nanoseconds(7).clampedNanoseconds == 7)
        #expect(Duration.seconds(-3).clampedNanoseconds == 0)
        #expect(Duration.seconds(Int64.max).clampedNanoseconds == Int.max)
    }

    @Test func theReadBufferIsAllocatedOnceWithTheDocumentedSize() {
        let loop = EventLoop(label: "test.buffer")
        #expect(loop.readBuffer.count == EventLoop.readBufferSize)
    }
}
