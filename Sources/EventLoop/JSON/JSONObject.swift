/// A JSON object that keeps its keys in order.
///
/// Order matters to us, not to JSON: the Mesos agent emits fields in proto declaration order and the serializer
/// writes them back in whatever order we built them, so logs and golden tests stay stable. Equality, like JSON's,
/// ignores order: two objects are equal when they hold the same keys with equal values.
///
/// Keys are unique. Setting an existing key replaces its value in place (the key keeps its position); parsing a
/// document with duplicate keys therefore keeps the last value at the position of the first occurrence.
public struct JSONObject: Sendable {
    public typealias Element = (key: String, value: JSONValue)

    /// One key and value. A struct rather than the `Element` tuple because arrays of tuples look up their
    /// runtime type metadata on every allocation, which showed up as the parser's largest single cost.
    struct Member {
        var key: String
        var value: JSONValue
    }

    /// Objects this small are searched linearly: comparing a few short keys is cheaper than hashing one.
    static let linearSearchLimit = 12

    private var entries: [Member]
    /// Key to position in `entries`; empty until the object outgrows `linearSearchLimit`, so that a peer
    /// sending an object with many keys cannot make parsing quadratic.
    private var positions: [String: Int]

    public init() {
        entries = []
        positions = [:]
    }

    /// An object with `pairs` in order; for a repeated key the last value wins, at the first key's position.
    public init(_ pairs: [(String, JSONValue)]) {
        self.init()
        entries.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            self[key] = value
        }
    }

    /// An object of `members` in order, keeping the array as it is (the parser builds it at its exact size);
    /// duplicate keys are resolved as in `init(_:)`.
    init(members: consuming [Member]) {
        entries = members
        positions = [:]
        if entries.count > Self.linearSearchLimit {
            rebuildPositions()
            if positions.count == entries.count {
                return
            }
        } else if !entries.withUnsafeBufferPointer(Self.hasDuplicateKeys) {
            return
        }
        // Duplicates are rare enough (a misbehaving peer) that the slow, obviously right path is fine.
        let members = entries
        entries = []
        positions = [:]
        for member in members {
            self[member.key] = member.value
        }
    }

    private static func hasDuplicateKeys(_ members: UnsafeBufferPointer<Member>) -> Bool {
        for later in members.indices.dropFirst() {
            for earlier in 0..<later where members[earlier].key == members[later].key {
                return true
            }
        }
        return false
    }

    public var count: Int { entries.count }

    public var isEmpty: Bool { entries.isEmpty }

    /// The keys, in order.
    public var keys: [String] { entries.map(\.key) }

    /// The values, in key order.
    public var values: [JSONValue] { entries.map(\.value) }

    /// The value for `key`. Setting nil removes the key; setting an existing key replaces its value in place.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return entries[position].value
        }
        set {
            if let newValue {
                setValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Sets `value` for `key`, replacing in place or appending.
    public mutating func setValue(_ value: JSONValue, forKey key: String) {
        if let position = position(of: key) {
            entries[position].value = value
            return
        }
        entries.append(Member(key: key, value: value))
        if !positions.isEmpty {
            positions[key] = entries.count - 1
        } else if entries.count > Self.linearSearchLimit {
            rebuildPositions()
        }
    }

    /// Removes `key` and returns its value, if it was present.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let position = position(of: key) else { return nil }
        let removed = entries.remove(at: position).value
        // Removal is rare (building requests), so an O(n) rebuild keeps the index simple and correct.
        positions = [:]
        if entries.count > Self.linearSearchLimit {
            rebuildPositions()
        }
        return removed
    }

    private func position(of key: String) -> Int? {
        if positions.isEmpty {
            return entries.firstIndex { $0.key == key }
        }
        return positions[key]
    }

    private mutating func rebuildPositions() {
        positions.reserveCapacity(entries.count)
        for (position, entry) in entries.enumerated() {
            positions[entry.key] = position
        }
    }
}

extension JSONObject: Sequence {
    public struct Iterator: IteratorProtocol {
        fileprivate var base: IndexingIterator<[Member]>

        public mutating func next() -> Element? {
            guard let member = base.next() else { return nil }
            return (key: member.key, value: member.value)
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(base: entries.makeIterator())
    }

    public var underestimatedCount: Int { entries.count }
}

extension JSONObject: Equatable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        // Keys are unique on both sides, so equal counts plus every left pair found on the right is equality.
        for member in lhs.entries where rhs[member.key] != member.value {
            return false
        }
        return true
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}

extension JSONObject: CustomStringConvertible {
    /// The compact JSON text.
    public var description: String { JSONValue.object(self).jsonString }
}
