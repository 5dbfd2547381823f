import Foundation
import Testing

@testable import EventLoop

// Serialized: one test sets a variable while the other counts them all (seen racing under TSan's slowdown).
@Suite(.serialized)
struct ProcessEnvironmentTests {
    @Test func readsTheSameVariablesAsFoundation() {
        let ours = ProcessEnvironment.current()
        let foundation = ProcessInfo.processInfo.environment
        #expect(ours["PATH"] == foundation["PATH"])
        #expect(ours.count == foundation.count)
    }

    @Test func seesVariablesSetAtRuntimeAndKeepsEqualsSignsInValues() {
        let name = "EVENTLOOP_TEST_\(ProcessControl.processID)"
        setenv(name, "a=b=c", 1)
        defer { unsetenv(name) }
        #expect(ProcessEnvironment.current()[name] == "a=b=c")
        #expect(ProcessEnvironment.value(name) == "a=b=c")
        #expect(ProcessEnvironment.value(name + "_UNSET") == nil)
    }
}
