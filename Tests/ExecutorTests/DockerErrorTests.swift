import EventLoop
import Testing

@testable import Executor

struct DockerErrorTests {
    @Test(arguments: [
        (DockerError.engine(status: 500, message: "port is already allocated"), true),
        (.engine(status: 503, message: "x"), true),
        (.engine(status: 404, message: "manifest unknown"), false),
        (.engine(status: 409, message: "Conflict."), false),
        (.engine(status: 400, message: "OCI runtime create failed"), false),
        (.pullFailed(image: "i", message: "unknown blob"), true),
        (.transport(.connectFailed(endpoint: "unix:///x", reason: "refused")), true),
        (.transport(.connectionFailed(reason: "reset")), true),
        (.transport(.connectionClosedBeforeResponse), true),
        (.transport(.timedOut(after: .seconds(30))), true),
        (.transport(.malformedStatusLine("x")), false),
        (.malformedResponse("x"), false),
        (.unsupportedAPIVersion("1.24"), false),
    ])
    func onlyConnectionTroubleAndServerErrorsAreTransient(error: DockerError, transient: Bool) {
        #expect(error.isTransient == transient)
    }

    @Test func statusUpdatesGetTheEnginesOwnWords() {
        #expect(DockerError.engine(status: 404, message: "No such image: x:1").message == "No such image: x:1")
        #expect(DockerError.pullFailed(image: "x:1", message: "unknown blob").message == "unknown blob")
        #expect(
            DockerError.unsupportedAPIVersion("1.24").message
                == "The Docker engine speaks API 1.24, older than the 1.30 this executor needs.")
        #expect(
            DockerError.engine(status: 404, message: "No such image: x:1").description
                == "The Docker engine answered 404: No such image: x:1")
    }
}
