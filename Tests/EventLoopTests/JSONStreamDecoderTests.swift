import EventLoop
import TestSupport
import Testing

struct JSONStreamDecoderTests {
    /// Feeds `chunks` in order, decoding after each, and returns every document plus the error that ended it.
    private func decodeAll(
        _ chunks: [[UInt8]],
        decoder: JSONStreamDecoder = JSONStreamDecoder()
    ) -> (documents: [JSONValue], error: JSONError?, leftover: Int) {
        var decoder = decoder
        var buffer = ByteBuffer()
        var documents: [JSONValue] = []
        do {
            for chunk in chunks {
                buffer.append(contentsOf: chunk)
                while let document = try decoder.decode(&buffer) {
                    documents.append(document)
                }
            }
        } catch {
            return (documents, error, buffer.readableBytes)
        }
        return (documents, nil, buffer.readableBytes)
    }

    private func whole(_ bytes: [UInt8]) -> [[UInt8]] { [bytes] }

    private func byteByByte(_ bytes: [UInt8]) -> [[UInt8]] { bytes.map { [$0] } }

    private func randomSplits(_ bytes: [UInt8], seed: UInt64) -> [[UInt8]] {
        var random = SeededGenerator(seed: seed)
        var chunks: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            let length = min(bytes.count - start, random.below(12) + 1)
            chunks.append(Array(bytes[start..<start + length]))
            start += length
        }
        return chunks
    }

    /// Whole, byte by byte and twenty random splittings must all agree; returns the whole-input result.
    private func decodeEveryWay(
        _ text: String,
        decoder: JSONStreamDecoder = JSONStreamDecoder()
    ) -> (documents: [JSONValue], error: JSONError?, leftover: Int) {
        let bytes = Array(text.utf8)
        let reference = decodeAll(whole(bytes), decoder: decoder)
        let bytewise = decodeAll(byteByByte(bytes), decoder: decoder)
        #expect(bytewise.documents == reference.documents)
        #expect(bytewise.error == reference.error)
        if reference.error == nil {
            #expect(bytewise.leftover == reference.leftover)
        }
        for seed in 1...20 {
            let split = decodeAll(randomSplits(bytes, seed: UInt64(seed)), decoder: decoder)
            #expect(split.documents == reference.documents, "seed \(seed)")
            #expect(split.error == reference.error, "seed \(seed)")
        }
        return reference
    }

    @Test func splitsDocumentsConcatenatedWithoutSeparators() {
        let stream = #"{"a":1}{"b":[1,{"c":"}"}]}[]"text"[{}]true{"z":null}"#
        let result = decodeEveryWay(stream)
        #expect(result.error == nil)
        #expect(result.documents == [["a": 1], ["b": [1, ["c": "}"]]], [], "text", [[:]], true, ["z": nil]])
        #expect(result.leftover == 0)
    }

    @Test func splitsDockerStyleJSONLines() {
        let stream = """
            {"status":"Pulling from library/nginx","id":"1.27"}
            {"status":"Downloading","progressDetail":{"current":1024,"total":4096},"id":"a2318d6c47ec"}\r
            {"status":"Digest: sha256:0123"}

            """
        let result = decodeEveryWay(stream)
        #expect(result.error == nil)
        #expect(result.documents.count == 3)
        #expect(result.documents[1]["progressDetail"]?["total"] == 4_096)
        #expect(result.leftover == 0)
    }

    @Test func ignoresBracketsAndQuotesInsideStrings() {
        let stream = #"{"a":"[{\"}\\"}["\\",{"b":"]"}]"#
        let result = decodeEveryWay(stream)
        #expect(result.error == nil)
        #expect(result.documents == [["a": "[{\"}\\"], ["\\", ["b": "]"]]])
    }

    @Test func waitsForTheByteAfterATopLevelNumber() throws {
        var decoder = JSONStreamDecoder()
        var buffer = ByteBuffer(string: "12")
        #expect(try decoder.decode(&buffer) == nil)
        buffer.append("34")
        #expect(try decoder.decode(&buffer) == nil)
        buffer.append(" -5.5e1\n")
        #expect(try decoder.decode(&buffer) == 1234)
        #expect(try decoder.decode(&buffer) == -55.0)
        #expect(try decoder.decode(&buffer) == nil)
        #expect(buffer.isEmpty)
    }

    @Test func endsScalarsAndLiteralsOnTheirOwn() {
        let result = decodeEveryWay(#"null"s"false 7,"#)
        #expect(result.documents == [nil, "s", false, 7])
        #expect(result.error == JSONError(offset: 14, reason: .unexpectedByte(UInt8(ascii: ","), expected: .value)))
    }

    @Test func leavesAnIncompleteDocumentInTheBuffer() throws {
        var decoder = JSONStreamDecoder()
        var buffer = ByteBuffer(string: #"  {"a":1} {"b":"#)
        #expect(try decoder.decode(&buffer) == ["a": 1])
        #expect(try decoder.decode(&buffer) == nil)
        #expect(buffer.readableArray == Array(#"{"b":"#.utf8))
        buffer.append("2}")
        #expect(try decoder.decode(&buffer) == ["b": 2])
    }

    @Test func consumesWhitespaceRightAway() throws {
        var decoder = JSONStreamDecoder()
        var buffer = ByteBuffer(string: " \n\t\r \n")
        #expect(try decoder.decode(&buffer) == nil)
        #expect(buffer.isEmpty)
    }

    @Test func rejectsADocumentAsSoonAsItOutgrowsTheLimit() {
        let limited = JSONStreamDecoder(maxDocumentBytes: 16)
        // Exactly 16 bytes is fine.
        let fits = decodeEveryWay(#"{"k":"12345678"}"#, decoder: limited)
        #expect(fits.error == nil)
        #expect(fits.documents == [["k": "12345678"]])

        let tooLarge = JSONError(offset: 16, reason: .documentTooLarge(limit: 16))
        #expect(decodeEveryWay(#"{"k":"123456789"}"#, decoder: limited).error == tooLarge)
        #expect(decodeEveryWay(#"["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"#, decoder: limited).error == tooLarge)
        #expect(decodeEveryWay("12345678901234567", decoder: limited).error == tooLarge)
        #expect(decodeEveryWay(#""123456789012345678"#, decoder: limited).error == tooLarge)
        // Offsets count from the start of the stream.
        let second = decodeEveryWay(#"[1] ["aaaaaaaaaaaaaaaaaaaa"#, decoder: limited)
        #expect(second.documents == [[1]])
        #expect(second.error == JSONError(offset: 20, reason: .documentTooLarge(limit: 16)))
    }

    @Test func neverBuffersMoreThanTheLimitOfAnUnfinishedDocument() {
        var decoder = JSONStreamDecoder(maxDocumentBytes: 1_000)
        var buffer = ByteBuffer(string: "[")
        var fed = 1
        var caught: JSONError?
        while caught == nil && fed < 10_000 {
            buffer.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: 100))
            fed += 100
            do {
                _ = try decoder.decode(&buffer)
            } catch {
                caught = error
            }
        }
        #expect(caught == JSONError(offset: 1_000, reason: .documentTooLarge(limit: 1_000)))
        #expect(fed <= 1_101)
    }

    @Test func reportsGarbageWithItsStreamOffset() {
        #expect(
            decodeEveryWay(#"{"a":1} }"#).error
                == JSONError(offset: 8, reason: .unexpectedByte(UInt8(ascii: "}"), expected: .value)))
        #expect(
            decodeEveryWay(#"[1]{"a" 1}"#).error
                == JSONError(offset: 8, reason: .unexpectedByte(UInt8(ascii: "1"), expected: .colon)))
        #expect(
            decodeEveryWay("[1}").error
                == JSONError(offset: 2, reason: .unexpectedByte(UInt8(ascii: "}"), expected: .commaOrEndOfArray)))
        #expect(
            decodeEveryWay("nulx").error
                == JSONError(offset: 3, reason: .unexpectedByte(UInt8(ascii: "x"), expected: .literal("null"))))
        #expect(decodeEveryWay("1.2.3 ").error == JSONError(offset: 3, reason: .trailingData(UInt8(ascii: "."))))
    }

    @Test func rejectsNestingBeyondTheDepthLimitWhileScanning() {
        let decoder = JSONStreamDecoder(limits: JSONLimits(maxDepth: 3))
        #expect(decodeEveryWay("[[[1]]]", decoder: decoder).documents == [[[[1]]]])
        let result = decodeEveryWay("[[[[" + String(repeating: " ", count: 50), decoder: decoder)
        #expect(result.error == JSONError(offset: 3, reason: .tooDeep(limit: 3)))
    }

    @Test func splitsRandomDocumentStreamsIdenticallyHoweverTheyArrive() throws {
        var random = SeededGenerator(seed: 77)
        var expected: [JSONValue] = []
        var stream: [UInt8] = []
        let separators = ["", " ", "\n", "\r\n", "\t "]
        for index in 0..<60 {
            let document: JSONValue = [
                "id": .int(Int64(index)), "name": .string("task-\(random.below(1_000))"),
                "tags": .array((0..<random.below(4)).map { _ in .string("t\"}\(random.below(9))") }),
                "ratio": .double(Double(random.below(1_000)) / 7), "nested": [["deep": [true, nil]]],
            ]
            expected.append(document)
            document.serialize(into: &stream)
            stream.append(contentsOf: separators[random.below(separators.count)].utf8)
        }
        let text = String(decoding: stream, as: UTF8.self)
        let result = decodeEveryWay(text)
        #expect(result.error == nil)
        #expect(result.documents == expected)
    }
}
