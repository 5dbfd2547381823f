import EventLoop
import TestSupport
import Testing

struct JSONParserTests {
    private func parse(_ text: String) throws(JSONError) -> JSONValue {
        try JSON.parse(text)
    }

    private func failure(_ bytes: [UInt8]) -> JSONError? {
        do {
            let value = try JSON.parse(bytes)
            Issue.record("expected an error, parsed \(value)")
            return nil
        } catch {
            return error
        }
    }

    private func failure(_ text: String) -> JSONError? {
        failure(Array(text.utf8))
    }

    @Test func parsesEveryScalarKind() throws {
        #expect(try parse("null") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("42") == .int(42))
        #expect(try parse("-7") == .int(-7))
        #expect(try parse("1.5") == .double(1.5))
        #expect(try parse("\"hi\"") == .string("hi"))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object([:]))
    }

    @Test func acceptsTheFourWhitespaceBytesAroundAndBetweenTokens() throws {
        let value = try parse(" \t\r\n{ \"a\" :\n[ 1 ,\t2 ] , \"b\"\r: { } }\n ")
        #expect(value == ["a": [1, 2], "b": .object([:])])
    }

    @Test func parsesTheRFC8259Examples() throws {
        let image = """
            {
              "Image": {
                  "Width":  800,
                  "Height": 600,
                  "Title":  "View from 15th Floor",
                  "Thumbnail": {
                      "Url":    "http://www.example.com/image/481989943",
                      "Height": 125,
                      "Width":  100
                  },
                  "Animated" : false,
                  "IDs": [116, 943, 234, 38793]
                }
            }
            """
        let value = try parse(image)
        #expect(value["Image"]?["Thumbnail"]?["Url"]?.stringValue == "http://www.example.com/image/481989943")
        #expect(value["Image"]?["IDs"] == [116, 943, 234, 38_793])
        #expect(value["Image"]?.objectValue?.keys == ["Width", "Height", "Title", "Thumbnail", "Animated", "IDs"])

        let places = """
            [
              {
                 "precision": "zip",
                 "Latitude":  37.7668,
                 "Longitude": -122.3959,
                 "Address":   "",
                 "City":      "SAN FRANCISCO",
                 "State":     "CA",
                 "Zip":       "94107",
                 "Country":   "US"
              }
            ]
            """
        let list = try parse(places)
        #expect(list[0]?["Latitude"] == .double(37.7668))
        #expect(list[0]?["Longitude"] == .double(-122.3959))
        #expect(list[0]?["Address"] == "")
        #expect(list[1] == nil)
    }

    @Test func parsesInt64ExtremesExactlyAndAnythingBeyondAsDouble() throws {
        #expect(try parse("9223372036854775807") == .int(.max))
        #expect(try parse("-9223372036854775808") == .int(.min))
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try parse("-9223372036854775809") == .double(-0x1p63))
        #expect(try parse("123456789012345678901234567890") == .double(Double("123456789012345678901234567890")!))
        #expect(try parse("-0") == .int(0))
        #expect(try parse("0") == .int(0))
    }

    @Test func numbersWithFractionOrExponentAreDoubles() throws {
        #expect(try parse("1.0") == .double(1))
        #expect(try parse("1e3") == .double(1000))
        #expect(try parse("1E+2") == .double(100))
        #expect(try parse("25e-2") == .double(0.25))
        #expect(try parse("0.1") == .double(0.1))
        #expect(try parse("-0.0") == .double(-0.0))
        #expect(try parse("-0.0").doubleValue?.sign == .minus)
        #expect(try parse("1e-400") == .double(0))
        #expect(try parse("2.2250738585072014e-308") == .double(2.2250738585072014e-308))
        #expect(try parse("1.7976931348623157e308") == .double(.greatestFiniteMagnitude))
        #expect(try parse("4.9e-324") == .double(.leastNonzeroMagnitude))
    }

    @Test func decimalTextReadsToTheSameDoubleAsTheStandardLibrary() throws {
        var random = SeededGenerator(seed: 0x5EED)
        for _ in 0..<2_000 {
            let digits = (0..<random.below(22) + 1).map { _ in String(random.below(10)) }.joined()
            let fraction = (0..<random.below(20)).map { _ in String(random.below(10)) }.joined()
            let exponent = random.below(3) == 0 ? "e\(Int(random.below(80)) - 40)" : ""
            let integer = digits.count > 1 && digits.first == "0" ? "1" + digits.dropFirst() : digits
            let text = integer + (fraction.isEmpty ? ".5" : "." + fraction) + exponent
            #expect(try parse(text) == .double(Double(text)!), "\(text)")
        }
    }

    @Test func shortestDoubleDescriptionsReadBackExactly() throws {
        var random = SeededGenerator(seed: 42)
        for _ in 0..<2_000 {
            let value = Double(bitPattern: random.next())
            guard value.isFinite else { continue }
            #expect(try parse(value.description) == .double(value), "\(value)")
        }
    }

    @Test func decodesEveryEscape() throws {
        let text = #""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\u0000""#
        #expect(try parse(text) == .string("\"\\/\u{8}\u{C}\n\r\tA\u{E9}\u{20AC}\u{0}"))
    }

    @Test func joinsSurrogatePairEscapes() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("\u{1F600}"))
        #expect(try parse(#""a\uD834\uDD1Eb""#) == .string("a\u{1D11E}b"))
    }

    @Test func keepsRawUTF8Strings() throws {
        #expect(
            try parse("\"gr\u{FC}\u{DF}e \u{1F600} \u{65E5}\u{672C}\"")
                == .string("gr\u{FC}\u{DF}e \u{1F600} \u{65E5}\u{672C}"))
    }

    @Test func findsQuotesEscapesAndControlBytesAtEveryPositionOfAWord() throws {
        // The string scanner looks at eight bytes at a time; a special byte must be found wherever it sits.
        for prefix in 0..<20 {
            let padding = String(repeating: "a", count: prefix)
            #expect(try parse("\"\(padding)\"") == .string(padding))
            #expect(try parse("\"\(padding)\\n\(padding)\"") == .string(padding + "\n" + padding))
            #expect(try parse("\"\(padding)\u{E9}\(padding)\"") == .string(padding + "\u{E9}" + padding))
            let error = failure("\"\(padding)\u{1}xxxxxxxxx\"")
            #expect(error == JSONError(offset: prefix + 1, reason: .controlCharacterInString(1)))
        }
    }

    @Test func duplicateKeysKeepTheLastValueAtTheFirstPosition() throws {
        let value = try parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(value.objectValue?.keys == ["a", "b"])
        #expect(value["a"] == 3)
    }

    @Test func rejectsEachMalformedKindWithItsReasonAndOffset() {
        let cases: [(String, Int, JSONError.Reason)] = [
            ("", 0, .unexpectedEnd),
            ("   ", 3, .unexpectedEnd),
            ("[", 1, .unexpectedEnd),
            ("{\"a\":", 5, .unexpectedEnd),
            ("{\"a\"", 4, .unexpectedEnd),
            ("[1,]", 3, .unexpectedByte(UInt8(ascii: "]"), expected: .value)),
            ("{\"a\":1,}", 7, .unexpectedByte(UInt8(ascii: "}"), expected: .objectKey)),
            ("{1:2}", 1, .unexpectedByte(UInt8(ascii: "1"), expected: .objectKeyOrEndOfObject)),
            ("{\"a\" 1}", 5, .unexpectedByte(UInt8(ascii: "1"), expected: .colon)),
            ("[1 2]", 3, .unexpectedByte(UInt8(ascii: "2"), expected: .commaOrEndOfArray)),
            ("{\"a\":1 \"b\":2}", 7, .unexpectedByte(UInt8(ascii: "\""), expected: .commaOrEndOfObject)),
            ("[1}", 2, .unexpectedByte(UInt8(ascii: "}"), expected: .commaOrEndOfArray)),
            ("// comment\n1", 0, .unexpectedByte(UInt8(ascii: "/"), expected: .value)),
            ("[1 /* c */]", 3, .unexpectedByte(UInt8(ascii: "/"), expected: .commaOrEndOfArray)),
            ("'a'", 0, .unexpectedByte(UInt8(ascii: "'"), expected: .value)),
            ("01", 1, .invalidNumber),
            ("-01", 2, .invalidNumber),
            ("-", 1, .unexpectedEnd),
            ("-a", 1, .invalidNumber),
            ("1.", 2, .unexpectedEnd),
            ("1.e5", 2, .invalidNumber),
            ("1e", 2, .unexpectedEnd),
            ("1e+", 3, .unexpectedEnd),
            ("1ex", 2, .invalidNumber),
            (".5", 0, .unexpectedByte(UInt8(ascii: "."), expected: .value)),
            ("+1", 0, .unexpectedByte(UInt8(ascii: "+"), expected: .value)),
            ("NaN", 0, .unexpectedByte(UInt8(ascii: "N"), expected: .value)),
            ("-Infinity", 1, .invalidNumber),
            ("1e400", 0, .numberOutOfRange),
            ("[-1e400]", 1, .numberOutOfRange),
            ("tru", 3, .unexpectedEnd),
            ("trux", 3, .unexpectedByte(UInt8(ascii: "x"), expected: .literal("true"))),
            ("nul", 3, .unexpectedEnd),
            ("fals e", 4, .unexpectedByte(UInt8(ascii: " "), expected: .literal("false"))),
            ("True", 0, .unexpectedByte(UInt8(ascii: "T"), expected: .value)),
            ("[1] x", 4, .trailingData(UInt8(ascii: "x"))),
            ("1 2", 2, .trailingData(UInt8(ascii: "2"))),
            ("{}}", 2, .trailingData(UInt8(ascii: "}"))),
            ("\"abc", 4, .unexpectedEnd),
            ("\"a\nb\"", 2, .controlCharacterInString(0x0A)),
            ("\"a\tb\"", 2, .controlCharacterInString(0x09)),
            ("\"\\n\u{1F}\"", 3, .controlCharacterInString(0x1F)),
            ("\"\\x\"", 1, .invalidEscape),
            ("\"ab\\", 4, .unexpectedEnd),
            ("\"\\u12G4\"", 1, .invalidUnicodeEscape),
            ("\"\\u12\"", 1, .invalidUnicodeEscape),
            ("\"\\u12", 5, .unexpectedEnd),
            ("\"\\ud83d\"", 1, .loneSurrogate),
            ("\"\\ude00\"", 1, .loneSurrogate),
            ("\"\\ud83d\\u0041\"", 1, .loneSurrogate),
            ("\"\\ud83dx\"", 1, .loneSurrogate),
            ("\"\\ud83d\\n\"", 1, .loneSurrogate),
            ("\"\\ud83d\\ud83d\"", 1, .loneSurrogate),
            ("\"\\ud83d", 7, .unexpectedEnd),
        ]
        for (text, offset, reason) in cases {
            #expect(failure(text) == JSONError(offset: offset, reason: reason), "\(text)")
        }
    }

    @Test func rejectsInvalidUTF8AtTheOffendingByte() {
        let quote = UInt8(ascii: "\"")
        let cases: [([UInt8], Int)] = [
            ([quote, 0xC3, 0x28, quote], 1),  // lead byte followed by ASCII
            ([quote, 0x61, 0xFF, quote], 2),  // never valid
            ([quote, 0xC0, 0xAF, quote], 1),  // overlong '/'
            ([quote, 0xE0, 0x80, 0xAF, quote], 1),  // overlong three-byte form
            ([quote, 0xED, 0xA0, 0x80, quote], 1),  // encoded surrogate
            ([quote, 0xF4, 0x90, 0x80, 0x80, quote], 1),  // above U+10FFFF
            ([quote, 0x61, 0x62, 0xC3, quote], 3),  // truncated by the closing quote
            ([quote, 0x80, quote], 1),  // lone continuation byte
            ([quote, UInt8(ascii: "\\"), UInt8(ascii: "n"), 0xFF, quote], 3),  // on the escape path
            ([quote, 0xC3, UInt8(ascii: "\\"), UInt8(ascii: "n"), quote], 1),  // cut by an escape
        ]
        for (bytes, offset) in cases {
            #expect(failure(bytes) == JSONError(offset: offset, reason: .invalidUTF8), "\(bytes)")
        }
        #expect(failure([0xFF]) == JSONError(offset: 0, reason: .unexpectedByte(0xFF, expected: .value)))
        #expect(
            failure([0xEF, 0xBB, 0xBF, 0x31]) == JSONError(offset: 0, reason: .unexpectedByte(0xEF, expected: .value)))
    }

    @Test func rejectsNestingBeyondTheDefaultDepthOf64() throws {
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSON.parse(deepest) }
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(failure(tooDeep) == JSONError(offset: 64, reason: .tooDeep(limit: 64)))
        let objects = String(repeating: "{\"a\":", count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(failure(objects) == JSONError(offset: 320, reason: .tooDeep(limit: 64)))
    }

    @Test func rejectsAHundredThousandOpenBracketsWithAnErrorNotACrash() {
        let hostile = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        #expect(failure(hostile) == JSONError(offset: 64, reason: .tooDeep(limit: 64)))
        let unlimited = JSONLimits(maxDepth: .max)
        #expect(throws: JSONError(offset: 100_000, reason: .unexpectedEnd)) {
            try JSON.parse(hostile, limits: unlimited)
        }
    }

    @Test func parsesDeepNestingIterativelyWhenTheLimitAllowsIt() throws {
        let depth = 2_000
        let text = String(repeating: "[", count: depth) + "7" + String(repeating: "]", count: depth)
        var value = try JSON.parse(text, limits: JSONLimits(maxDepth: depth))
        var levels = 0
        while case .array(let elements) = value, elements.count == 1 {
            levels += 1
            value = elements[0]
        }
        #expect(levels == depth)
        #expect(value == 7)
    }

    @Test func acceptsAnyByteCollection() throws {
        let bytes = Array(#"{"k":[1,"x"]}"#.utf8)
        let expected: JSONValue = ["k": [1, "x"]]
        #expect(try JSON.parse(bytes) == expected)
        #expect(try JSON.parse(bytes[...]) == expected)
        #expect(try JSON.parse(bytes.lazy.map { $0 }) == expected)
        #expect(try JSON.parse(ByteBuffer(bytes).readableView) == expected)
        #expect(try JSON.parse(#"{"k":[1,"x"]}"#) == expected)
    }

    @Test func parsesARealisticMesosLaunchEvent() throws {
        let value = try parse(mesosLaunchEvent)
        #expect(value["type"] == "LAUNCH")
        let task = try #require(value["launch"]?["task"])
        #expect(task["task_id"]?["value"] == "web.4a3c9fde-3b6e-11ef-9c2a-0242ac120002")
        #expect(task["resources"]?[0]?["scalar"]?["value"]?.doubleValue == 0.5)
        #expect(task["resources"]?[1]?["scalar"]?["value"] == .double(1024.0))
        #expect(task["resources"]?[2]?["ranges"]?["range"]?[0]?["begin"] == 31_000)
        #expect(task["container"]?["docker"]?["image"] == "nginx:1.27")
        #expect(task["container"]?["docker"]?["port_mappings"]?[0]?["host_port"]?.int64Value == 31_000)
        let labels = try #require(task["labels"]?["labels"]?.arrayValue)
        #expect(labels.compactMap { $0["key"]?.stringValue } == ["ServiceName", "HealthCheck", "Description"])
        #expect(labels[2]["value"] == "caf\u{E9} \"quoted\"\n\u{1F680}")
        #expect(task["command"]?["shell"] == false)
        #expect(task["kill_policy"]?["grace_period"]?["nanoseconds"] == 5_000_000_000)
        #expect(task.objectValue?.keys.first == "name")
    }
}

/// The shape of a Mesos v1 executor LAUNCH event, fields in proto declaration order.
let mesosLaunchEvent = #"""
    {"type":"LAUNCH","launch":{"task":{"name":"web","task_id":{"value":"web.4a3c9fde-3b6e-11ef-9c2a-0242ac120002"},
    "agent_id":{"value":"b1e3c0a2-7f4e-4d55-9a0b-2f1c3d4e5f60-S3"},
    "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.5},"role":"*"},
    {"name":"mem","type":"SCALAR","scalar":{"value":1024.0},"role":"*"},
    {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":31000}]},"role":"*"}],
    "executor":{"executor_id":{"value":"web.4a3c9fde"},"command":{"value":"/opt/executor/executor.sh","shell":true},
    "framework_id":{"value":"f00d-0001"}},
    "command":{"shell":false,"environment":{"variables":[{"name":"ENV","type":"VALUE","value":"prod"}]}},
    "container":{"type":"DOCKER","docker":{"image":"nginx:1.27","network":"BRIDGE",
    "port_mappings":[{"host_port":31000,"container_port":80,"protocol":"tcp"}],"force_pull_image":false,
    "parameters":[{"key":"label","value":"ServicePort_80=10080"}]}},
    "labels":{"labels":[{"key":"ServiceName","value":"web"},{"key":"HealthCheck","value":"HttpGet"},
    {"key":"Description","value":"caf\u00e9 \"quoted\"\n\ud83d\ude80"}]},
    "kill_policy":{"grace_period":{"nanoseconds":5000000000}}}}}
    """#
