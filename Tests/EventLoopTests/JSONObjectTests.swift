import EventLoop
import Testing

struct JSONObjectTests {
    @Test func keepsKeysInInsertionOrder() {
        var object = JSONObject()
        for key in ["zeta", "alpha", "mid", "beta"] {
            object[key] = .string(key.uppercased())
        }
        #expect(object.keys == ["zeta", "alpha", "mid", "beta"])
        #expect(object.values == ["ZETA", "ALPHA", "MID", "BETA"])
        #expect(object.map(\.key) == ["zeta", "alpha", "mid", "beta"])
        #expect(object.count == 4)
        #expect(!object.isEmpty)
    }

    @Test func replacesAnExistingKeyInPlace() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = "two"
        #expect(object.keys == ["a", "b", "c"])
        #expect(object["b"] == "two")
        #expect(object.count == 3)
    }

    @Test func removesAKeyWhenSetToNil() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object["b"] == nil)
        #expect(object.removeValue(forKey: "a") == 1)
        #expect(object.removeValue(forKey: "missing") == nil)
        #expect(object.keys == ["c"])
    }

    @Test func storesAnExplicitJSONNullUnlikeSwiftNil() {
        var object = JSONObject()
        object["present"] = .null
        #expect(object["present"] == .null)
        #expect(object.keys == ["present"])
    }

    @Test func keepsTheLastOfDuplicateKeysAtTheFirstPosition() {
        let object = JSONObject([("a", 1), ("b", 2), ("a", 3)])
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == 3)
    }

    @Test func comparesEqualRegardlessOfOrder() {
        let forward: JSONObject = ["a": 1, "b": [true]]
        let backward: JSONObject = ["b": [true], "a": 1]
        #expect(forward == backward)
        #expect(forward != ["a": 1, "b": [false]])
        #expect(forward != ["a": 1])
        #expect(forward != ["a": 1, "c": [true]])
    }

    @Test func staysConsistentPastTheSizeWhereItStartsHashing() {
        var object = JSONObject()
        for index in 0..<200 {
            object["key\(index)"] = .int(Int64(index))
        }
        object["key7"] = "seven"
        for index in stride(from: 0, to: 200, by: 3) {
            object["key\(index)"] = nil
        }
        object["key3"] = "back"
        var expectedKeys = (0..<200).filter { $0 % 3 != 0 }.map { "key\($0)" }
        expectedKeys.append("key3")
        #expect(object.keys == expectedKeys)
        #expect(object["key7"] == "seven")
        #expect(object["key8"] == 8)
        #expect(object["key9"] == nil)
        #expect(object["key3"] == "back")
        for (position, key) in object.keys.enumerated() {
            #expect(object[key] == object.values[position])
        }
        // Shrinking back below the threshold must keep lookups working.
        for key in object.keys.dropFirst(2) {
            object[key] = nil
        }
        #expect(object.keys == ["key1", "key2"])
        #expect(object["key2"] == 2)
    }

    @Test func parsesLargeObjectsWithDuplicateKeysCorrectly() throws {
        let members = (0..<500).map { "\"k\($0 % 250)\":\($0)" }.joined(separator: ",")
        let object = try #require(try JSON.parse("{\(members)}").objectValue)
        #expect(object.count == 250)
        #expect(object["k0"] == 250)
        #expect(object["k249"] == 499)
        #expect(object.keys.first == "k0")
    }
}
