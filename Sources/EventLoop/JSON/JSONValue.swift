/// A JSON document in memory.
///
/// Numbers keep the distinction the Mesos protos need: a number written without fraction or exponent that fits
/// `Int64` is `.int` (exactly, so 64-bit IDs and byte counts survive), anything else is `.double`. `.int(1)` and
/// `.double(1)` are therefore different values; use `int64Value` / `doubleValue` to read either kind.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

extension JSONValue {
    /// The member `key` when this is an object that has it; nil otherwise.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// The element at `index` when this is an array that long; nil otherwise (never traps).
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    public var stringValue: String? {
        guard case .string(let string) = self else { return nil }
        return string
    }

    /// The integer, also from a double that is integral and within `Int64` range.
    public var int64Value: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value): Self.exactInt64(value)
        default: nil
        }
    }

    /// `Int64(exactly:)` without its libm rounding calls (this library links no libm): a finite double is
    /// integral when its exponent covers every significand bit.
    private static func exactInt64(_ value: Double) -> Int64? {
        guard value.isFinite, value >= -0x1p63, value < 0x1p63 else { return nil }
        if value == 0 {
            return 0
        }
        guard value.exponent >= 0, Int(value.exponent) >= value.significandWidth else { return nil }
        return Int64(value)
    }

    /// The number as a double, also from an int (rounded to the nearest double beyond 2^53).
    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    public var boolValue: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    public var arrayValue: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    public var objectValue: JSONObject? {
        guard case .object(let object) = self else { return nil }
        return object
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) {
        self = .null
    }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) {
        self = .int(value)
    }
}

extension JSONValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) {
        self = .double(value)
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements))
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text.
    public var description: String { jsonString }
}
