import Glibc
import Testing

@testable import EventLoop

struct ProcessControlTests {
    @Test func reportsThisProcessID() {
        #expect(ProcessControl.processID == getpid())
    }

    @Test func theCLibraryAcceptsASingleMallocArena() {
        // Under AddressSanitizer (scripts/sanitizers.sh) malloc is ASan's own, whose mallopt accepts nothing.
        if dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil {
            print("AddressSanitizer replaces glibc's malloc in this run: mallopt(M_ARENA_MAX) is not glibc's to accept")
            return
        }
        #expect(ProcessControl.useSingleMallocArena())
    }

    @Test func killOfAMissingProcessThrowsASystemError() {
        #expect(throws: SystemError(code: ESRCH, operation: "kill")) {
            try ProcessControl.kill(Int32.max, signal: 0)
        }
    }
}
