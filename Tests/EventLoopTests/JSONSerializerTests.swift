import EventLoop
import TestSupport
import Testing

struct JSONSerializerTests {
    @Test func writesCompactTextWithKeysInObjectOrder() {
        let value: JSONValue = ["zeta": 1, "alpha": [true, false, nil], "mid": ["b": "x", "a": .object([:])]]
        #expect(value.jsonString == #"{"zeta":1,"alpha":[true,false,null],"mid":{"b":"x","a":{}}}"#)
        #expect(JSONValue.array([]).jsonString == "[]")
    }

    @Test func keepsOrderWhenAKeyIsReplacedAndDropsRemovedKeys() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["a"] = "first"
        object["b"] = nil
        object["d"] = 4
        #expect(JSONValue.object(object).jsonString == #"{"a":"first","c":3,"d":4}"#)
    }

    @Test func escapesOnlyWhatJSONRequires() {
        let value = JSONValue.string("q\" b\\ s/ \n\t\r\u{8}\u{C} \u{1}\u{1F}\u{7F} \u{E9}\u{1F600}")
        let expected = #""q\" b\\ s/ \n\t\r\b\f \u0001\u001f"# + "\u{7F} \u{E9}\u{1F600}\""
        #expect(value.jsonString == expected)
        #expect(JSONValue.string("\u{0}").serialized() == Array(#""\u0000""#.utf8))
    }

    @Test func escapesKeysLikeStrings() {
        let value: JSONValue = ["a\"b\n": 1]
        #expect(value.jsonString == #"{"a\"b\n":1}"#)
    }

    @Test func writesIntsExactly() {
        #expect(JSONValue.int(0).jsonString == "0")
        #expect(JSONValue.int(-1).jsonString == "-1")
        #expect(JSONValue.int(1_234_567_890).jsonString == "1234567890")
        #expect(JSONValue.int(.max).jsonString == "9223372036854775807")
        #expect(JSONValue.int(.min).jsonString == "-9223372036854775808")
    }

    @Test func writesDoublesInShortestFormWithPointZeroForIntegralValues() {
        #expect(JSONValue.double(15).jsonString == "15.0")
        #expect(JSONValue.double(0.5).jsonString == "0.5")
        #expect(JSONValue.double(0.1).jsonString == "0.1")
        #expect(JSONValue.double(-2.25).jsonString == "-2.25")
        #expect(JSONValue.double(1024).jsonString == "1024.0")
        #expect(JSONValue.double(1e-7).jsonString == "1e-07")
        #expect(JSONValue.double(-0.0).jsonString == "-0.0")
        #expect(JSONValue.double(1e300).jsonString == "1e+300")
    }

    @Test func writesNonFiniteDoublesAsNull() {
        #expect(JSONValue.double(.nan).jsonString == "null")
        #expect(JSONValue.double(.infinity).jsonString == "null")
        #expect(JSONValue.array([.double(-.infinity)]).jsonString == "[null]")
    }

    @Test func appendsToAnExistingBuffer() {
        var output = Array("prefix:".utf8)
        JSONValue.array([1, "two"]).serialize(into: &output)
        JSONValue.bool(true).serialize(into: &output)
        #expect(String(decoding: output, as: UTF8.self) == #"prefix:[1,"two"]true"#)
    }

    @Test func describesValuesAndObjectsAsTheirJSONText() {
        let object: JSONObject = ["k": [1.5]]
        #expect(object.description == #"{"k":[1.5]}"#)
        #expect("\(JSONValue.object(object))" == #"{"k":[1.5]}"#)
    }

    @Test func roundTripsTheMesosLaunchEventByteForByte() throws {
        let parsed = try JSON.parse(mesosLaunchEvent)
        let text = parsed.serialized()
        #expect(try JSON.parse(text) == parsed)
        #expect(try JSON.parse(text).serialized() == text)
        #expect(parsed.jsonString.hasPrefix(#"{"type":"LAUNCH","launch":{"task":{"name":"web","task_id""#))
        #expect(parsed.jsonString.contains(#""value":"caf"# + "\u{E9}" + #" \"quoted\"\n"# + "\u{1F680}\""))
    }

    @Test func roundTripsEdgeValues() throws {
        let values: [JSONValue] = [
            .null, true, false, 0, .int(.max), .int(.min), 0.1, -0.0, 1e-7, 1e300, .double(.leastNonzeroMagnitude),
            .double(.greatestFiniteMagnitude), 123_456_789.125, "", "\u{0}\u{1F}\"\\/", "\u{10FFFF}\u{FFFD}",
            [[], [:], [[[]]]], ["": ""],
        ]
        for value in values {
            #expect(try JSON.parse(value.serialized()) == value, "\(value)")
        }
    }

    @Test func roundTripsSeededGeneratorTrees() throws {
        var random = SeededGenerator(seed: 2024)
        for _ in 0..<300 {
            let value = randomValue(&random, depth: 0)
            let text = value.serialized()
            let parsed = try JSON.parse(text)
            #expect(parsed == value)
            #expect(parsed.serialized() == text)
        }
    }

    private func randomValue(_ random: inout SeededGenerator, depth: Int) -> JSONValue {
        switch random.below(depth < 4 ? 9 : 6) {
        case 0: return .null
        case 1: return .bool(random.below(2) == 0)
        case 2: return .int(Int64(bitPattern: random.next()) >> random.below(64))
        case 3:
            let value = Double(bitPattern: random.next())
            return .double(value.isFinite ? value : Double(random.below(1000)) / 8)
        case 4, 5: return .string(randomString(&random))
        case 6: return .array((0..<random.below(6)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            var object = JSONObject()
            for _ in 0..<random.below(20) {
                object[randomString(&random)] = randomValue(&random, depth: depth + 1)
            }
            return .object(object)
        }
    }

    private func randomString(_ random: inout SeededGenerator) -> String {
        let pool: [Unicode.Scalar] = [
            "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1B}", "\u{7F}", "\u{E9}", "\u{2028}",
            "\u{FFFF}", "\u{1F600}", "\u{10FFFF}",
        ]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<random.below(24) {
            scalars.append(pool[random.below(pool.count)])
        }
        return String(scalars)
    }
}
