import Testing

@testable import EventLoop

struct JSONMovingStackTests {
    /// Counts live instances, so the tests see every element destroyed exactly once.
    private final class Tracked {
        let id: Int
        let counter: Counter

        init(_ id: Int, _ counter: Counter) {
            self.id = id
            self.counter = counter
            counter.live += 1
        }

        deinit {
            counter.live -= 1
        }
    }

    private final class Counter {
        var live = 0
    }

    @Test func popsTheTopElementsInOrderAndKeepsTheRest() {
        var stack = JSONMovingStack<Int>()
        for value in 0..<100 {
            stack.push(value)
        }
        #expect(stack.popArray(from: 90) == Array(90..<100))
        #expect(stack.count == 90)
        #expect(stack.popArray(from: 90) == [])
        stack.push(-1)
        #expect(stack.popArray(from: 0) == Array(0..<90) + [-1])
        #expect(stack.count == 0)
    }

    @Test func movesElementsWithoutLeakingOrFreeingThemTwice() {
        let counter = Counter()
        var popped: [Tracked] = []
        do {
            var stack = JSONMovingStack<Tracked>()
            for id in 0..<50 {
                stack.push(Tracked(id, counter))
            }
            popped = stack.popArray(from: 20)
            #expect(counter.live == 50)
            // The 20 elements still on the stack are destroyed with it.
        }
        #expect(counter.live == 30)
        #expect(popped.map(\.id) == Array(20..<50))
        popped = []
        #expect(counter.live == 0)
    }
}
