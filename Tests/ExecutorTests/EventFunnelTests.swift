import Testing

@testable import Executor

struct EventFunnelTests {
    @Test func anEventRaisedWhileHandlingWaitsForTheCurrentOneToFinish() {
        let funnel = EventFunnel<Int>()
        var log: [String] = []
        func handle(_ event: Int) {
            log.append("begin \(event)")
            // Handling 1 raises 2 and 3; they must not start inside 1.
            if event == 1 {
                funnel.submit(2, to: handle)
                funnel.submit(3, to: handle)
            }
            log.append("end \(event)")
        }
        funnel.submit(1, to: handle)
        #expect(log == ["begin 1", "end 1", "begin 2", "end 2", "begin 3", "end 3"])
    }

    @Test func aLaterSubmissionDrainsAgain() {
        let funnel = EventFunnel<String>()
        var handled: [String] = []
        funnel.submit("a") { handled.append($0) }
        funnel.submit("b") { handled.append($0) }
        #expect(handled == ["a", "b"])
    }
}
