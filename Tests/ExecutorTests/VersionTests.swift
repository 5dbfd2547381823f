import Testing

@testable import Executor

struct VersionTests {
    @Test func versionIsSemantic() {
        #expect(executorVersion.split(separator: ".").count == 3)
    }
}
