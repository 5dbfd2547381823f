import EventLoop
import Testing

struct HTTPHeadersTests {
    @Test func keepsOrderAndDuplicatesAsGiven() {
        let headers: HTTPHeaders = ["B": "1", "A": "2", "b": "3"]
        #expect(headers.map(\.name) == ["B", "A", "b"])
        #expect(headers.map(\.value) == ["1", "2", "3"])
        #expect(headers.count == 3 && !headers.isEmpty)
        #expect(HTTPHeaders().isEmpty)
    }

    @Test func looksUpNamesIgnoringASCIICase() {
        let headers: HTTPHeaders = ["Content-Type": "application/json", "SET-COOKIE": "a", "set-cookie": "b"]
        #expect(headers["content-type"] == "application/json")
        #expect(headers["CONTENT-TYPE"] == "application/json")
        #expect(headers["Content-Length"] == nil)
        #expect(headers["Set-Cookie"] == "a")
        #expect(headers.values(for: "Set-Cookie") == ["a", "b"])
        #expect(headers.values(for: "Missing").isEmpty)
        #expect(headers.contains("set-Cookie") && !headers.contains("Cookie"))
        // Only ASCII letters fold: a Kelvin sign is not a "k".
        #expect(HTTPHeaders([("\u{212A}ey", "v")])["key"] == nil)
    }

    @Test func addsReplacesAndRemoves() {
        var headers: HTTPHeaders = ["A": "1", "B": "2", "a": "3", "C": "4", "A": "5"]
        headers.replaceOrAdd("a", "new")
        #expect(Array(headers.map { "\($0.name)=\($0.value)" }) == ["A=new", "B=2", "C=4"])
        headers.replaceOrAdd("D", "6")
        headers.add("b", "7")
        #expect(headers.values(for: "B") == ["2", "7"])
        headers.remove("B")
        #expect(Array(headers.map(\.name)) == ["A", "C", "D"])
        headers.remove("Missing")
        #expect(headers.count == 3)
    }

    @Test func splitsListHeadersIntoTrimmedElements() {
        let headers: HTTPHeaders = ["Connection": " keep-alive ,Upgrade,, ", "connection": "\tClose"]
        #expect(headers.listElements(for: "Connection") == ["keep-alive", "Upgrade", "Close"])
        #expect(headers.containsToken("close", for: "Connection"))
        #expect(headers.containsToken("UPGRADE", for: "connection"))
        #expect(!headers.containsToken("keep", for: "Connection"))
        #expect(!headers.containsToken("close", for: "Upgrade"))
    }

    @Test func comparesOrderAndCaseOfNamesForEquality() {
        let headers: HTTPHeaders = ["A": "1", "B": "2"]
        #expect(headers == HTTPHeaders([("A", "1"), ("B", "2")]))
        #expect(headers != ["B": "2", "A": "1"])
        #expect(headers != ["a": "1", "B": "2"])
        #expect(headers != ["A": "1", "B": "3"])
    }
}
