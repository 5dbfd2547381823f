import EventLoop
import Testing

struct JSONValueTests {
    @Test func literalsBuildTheMatchingCases() {
        let null: JSONValue = nil
        let bool: JSONValue = true
        let int: JSONValue = 42
        let double: JSONValue = 2.5
        let string: JSONValue = "text"
        let array: JSONValue = [1, "a"]
        let object: JSONValue = ["k": 1]
        #expect(null == .null)
        #expect(bool == .bool(true))
        #expect(int == .int(42))
        #expect(double == .double(2.5))
        #expect(string == .string("text"))
        #expect(array == .array([.int(1), .string("a")]))
        #expect(object == .object(JSONObject([("k", .int(1))])))
    }

    @Test func subscriptsReturnNilInsteadOfTrapping() {
        let value: JSONValue = ["list": [10, 20], "name": "x"]
        #expect(value["list"]?[1] == 20)
        #expect(value["list"]?[2] == nil)
        #expect(value["list"]?[-1] == nil)
        #expect(value["missing"] == nil)
        #expect(value["name"]?["deeper"] == nil)
        #expect(value[0] == nil)
    }

    @Test func typedAccessorsMatchOnlyTheirCase() {
        let string: JSONValue = "s"
        #expect(string.stringValue == "s")
        #expect(string.int64Value == nil)
        #expect(string.boolValue == nil)
        #expect(JSONValue.bool(false).boolValue == false)
        #expect(JSONValue.array([1]).arrayValue == [1])
        #expect(JSONValue.object(["a": 1]).objectValue == ["a": 1])
        #expect(JSONValue.array([]).objectValue == nil)
        #expect(JSONValue.null.isNull)
        #expect(!JSONValue.int(0).isNull)
        #expect(JSONValue.null.stringValue == nil)
    }

    @Test func int64ValueAcceptsIntegralDoublesInRange() {
        #expect(JSONValue.int(.min).int64Value == .min)
        #expect(JSONValue.double(1024).int64Value == 1024)
        #expect(JSONValue.double(-3).int64Value == -3)
        #expect(JSONValue.double(-0.0).int64Value == 0)
        #expect(JSONValue.double(0x1p52 + 1).int64Value == 4_503_599_627_370_497)
        #expect(JSONValue.double(-0x1p63).int64Value == .min)
        #expect(JSONValue.double(0x1p63).int64Value == nil)
        #expect(JSONValue.double(1e19).int64Value == nil)
        #expect(JSONValue.double(1.5).int64Value == nil)
        #expect(JSONValue.double(0.5).int64Value == nil)
        #expect(JSONValue.double(.leastNonzeroMagnitude).int64Value == nil)
        #expect(JSONValue.double(.nan).int64Value == nil)
        #expect(JSONValue.double(.infinity).int64Value == nil)
    }

    @Test func doubleValueAcceptsInts() {
        #expect(JSONValue.int(3).doubleValue == 3.0)
        #expect(JSONValue.double(0.25).doubleValue == 0.25)
        #expect(JSONValue.string("3").doubleValue == nil)
    }

    @Test func intAndDoubleOfTheSameNumberAreDifferentValues() {
        #expect(JSONValue.int(1) != JSONValue.double(1))
        #expect(JSONValue.int(1).doubleValue == JSONValue.double(1).doubleValue)
    }
}
