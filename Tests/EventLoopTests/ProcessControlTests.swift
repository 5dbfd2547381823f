import Glibc
import Testing

@testable import EventLoop

struct ProcessControlTests {
    @Test func reportsThisProcessID() {
        #expect(ProcessControl.processID == getpid())
    }

    @Test func theCLibraryAcceptsASingleMallocArena() {
        #expect(ProcessControl.useSingleMallocArena())
    }

    @Test func killOfAMissingProcessThrowsASystemError() {
        #expect(throws: SystemError(code: ESRCH, operation: "kill")) {
            try ProcessControl.kill(Int32.max, signal: 0)
        }
    }
}
