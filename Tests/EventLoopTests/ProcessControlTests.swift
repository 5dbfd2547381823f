import Glibc
import Testing

@testable import EventLoop

struct ProcessControlTests {
    @Test func reportsThisProcessID() {
        #expect(ProcessControl.processID == getpid())
    }

    @Test func theCLibraryAcceptsTheMallocSettings() {
        // Under AddressSanitizer (scripts/sanitizers.sh) malloc is ASan's own, whose mallopt accepts nothing.
        if dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil {
            print("skipped: AddressSanitizer replaces glibc's malloc in this run, and its mallopt accepts nothing")
            return
        }
        #expect(ProcessControl.configureMalloc())
    }

    @Test func killOfAMissingProcessThrowsASystemError() {
        #expect(throws: SystemError(code: ESRCH, operation: "kill")) {
            try ProcessControl.kill(Int32.max, signal: 0)
        }
    }
}
