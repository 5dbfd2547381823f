import Dispatch
import Glibc
import Testing

@testable import EventLoop

struct SignalWatcherTests {
    @Test func deliversASignalOnTheLoopInsteadOfKillingTheProcess() throws {
        let loop = EventLoop(label: "test.signals")
        let received = Locked<[(ProcessSignal, Bool)]>([])
        // SIGHUP: its default action would end the test process, so surviving is part of the check.
        let ready = DispatchSemaphore(value: 0)
        let watcher = SignalWatcher(
            signals: [.hangup], on: loop, onReady: { ready.signal() },
            handler: { signal in received.withValue { $0.append((signal, loop.isOnLoop)) } })
        defer { watcher.cancel() }
        #expect(ready.wait(timeout: .now() + 10) == .success)
        try Posix.kill(Posix.getpid(), Posix.Signal.hangup)
        #expect(eventually { !received.current.isEmpty })
        #expect(received.current.first?.0 == .hangup)
        #expect(received.current.first?.1 == true)
    }

    @Test func signalsHaveTheirConventionalNumbersAndNames() {
        #expect(ProcessSignal.terminate.number == SIGTERM)
        #expect(ProcessSignal.interrupt.number == SIGINT)
        #expect(ProcessSignal.hangup.number == SIGHUP)
        #expect(ProcessSignal.allCases.map(\.description) == ["SIGTERM", "SIGINT", "SIGHUP", "SIGUSR1"])
    }
}
