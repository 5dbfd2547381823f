import EventLoop
import Testing

struct HTTPMethodTests {
    @Test func sendsTheUppercaseMethodNames() {
        #expect(HTTPMethod.allCases.map(\.rawValue) == ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
    }

    @Test func onlyMethodsWithDefinedContentAnnounceAnEmptyBody() {
        let announcing = HTTPMethod.allCases.filter(\.definesRequestContent)
        #expect(announcing == [.post, .put, .patch])
    }
}
