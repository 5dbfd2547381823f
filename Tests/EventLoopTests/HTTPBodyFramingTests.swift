import Testing

@testable import EventLoop

struct HTTPBodyFramingTests {
    private func framing(_ status: Int, _ headers: HTTPHeaders, minor: Int = 1, head: Bool = false)
        throws(HTTPClientError) -> HTTPBodyFraming
    {
        try HTTPBodyFraming(
            head: HTTPResponseHead(versionMinor: minor, status: status, headers: headers), respondingToHEAD: head)
    }

    @Test func usesContentLengthWhenGiven() throws {
        #expect(try framing(200, ["Content-Length": "792"]) == .length(792))
        #expect(try framing(202, ["Content-Length": "0"]) == .length(0))
        #expect(try framing(200, ["Content-Length": "007"]) == .length(7))
        #expect(try framing(200, ["Content-Length": "\(Int.max)"]) == .length(Int.max))
    }

    @Test func usesChunkedWhateverTheCaseOfTheCoding() throws {
        #expect(try framing(200, ["Transfer-Encoding": "chunked"]) == .chunked)
        #expect(try framing(200, ["transfer-encoding": " CHUNKED "]) == .chunked)
        #expect(try framing(200, ["Transfer-Encoding": "chunked"], minor: 0) == .chunked)
    }

    @Test func readsUntilCloseWithoutLengthOrCoding() throws {
        #expect(try framing(200, [:]) == .untilClose)
        #expect(try framing(200, ["Connection": "close"], minor: 0) == .untilClose)
        #expect(try framing(101, ["Content-Length": "0"]) == .untilClose)
    }

    @Test func givesNoBodyToHEADResponsesInterimResponses204And304() throws {
        #expect(try framing(200, ["Content-Length": "5"], head: true) == .length(0))
        #expect(try framing(200, ["Transfer-Encoding": "chunked"], head: true) == .length(0))
        #expect(try framing(204, [:]) == .length(0))
        #expect(try framing(304, ["Content-Length": "1478"]) == .length(0))
        #expect(try framing(100, [:]) == .length(0))
        // Even headers that would be errors elsewhere do not matter when there is no body.
        #expect(try framing(204, ["Content-Length": "x", "Transfer-Encoding": "gzip"]) == .length(0))
    }

    @Test func rejectsAmbiguousOrUndecodableFraming() {
        #expect(throws: HTTPClientError.conflictingFraming) {
            try framing(200, ["Transfer-Encoding": "chunked", "Content-Length": "3"])
        }
        #expect(throws: HTTPClientError.unsupportedTransferEncoding("gzip, chunked")) {
            try framing(200, ["Transfer-Encoding": "gzip, chunked"])
        }
        #expect(throws: HTTPClientError.unsupportedTransferEncoding("chunked, chunked")) {
            try framing(200, ["Transfer-Encoding": "chunked, chunked"])
        }
        #expect(throws: HTTPClientError.unsupportedTransferEncoding("")) { try framing(200, ["Transfer-Encoding": ""]) }
    }

    @Test func rejectsContentLengthsThatAreNotOneNumber() {
        #expect(throws: HTTPClientError.invalidContentLength("9223372036854775808")) {
            try framing(200, ["Content-Length": "9223372036854775808"])
        }
        #expect(throws: HTTPClientError.invalidContentLength("1, 01")) {
            try framing(200, ["Content-Length": "1, 01"])
        }
        #expect(throws: HTTPClientError.invalidContentLength(" ")) { try framing(200, ["Content-Length": " "]) }
    }
}
