/// An ordered list of HTTP header fields, looked up by case-insensitive name.
///
/// Order and duplicates are kept as sent, because both can matter (several `Set-Cookie` values, the first
/// `Host`). Names compare ignoring ASCII case, as RFC 9110 §5.1 requires; values are kept verbatim.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (name: String, value: String)

    private var fields: [Element]

    public init() {
        fields = []
    }

    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    /// Keeps the literal's order and duplicates (unlike a `Dictionary`).
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public var count: Int { fields.count }

    public var isEmpty: Bool { fields.isEmpty }

    /// The value of the first field called `name`, if any.
    public subscript(name: String) -> String? {
        fields.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    /// Every value of the fields called `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool {
        fields.contains { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// Appends a field, keeping any existing ones with the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Sets the first field called `name` to `value` in place and removes any later ones; appends when absent.
    public mutating func replaceOrAdd(_ name: String, _ value: String) {
        guard let first = fields.firstIndex(where: { $0.name.equalsIgnoringASCIICase(name) }) else {
            add(name, value)
            return
        }
        fields[first].value = value
        var index = fields.count - 1
        while index > first {
            if fields[index].name.equalsIgnoringASCIICase(name) { fields.remove(at: index) }
            index -= 1
        }
    }

    /// Removes every field called `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// The comma-separated list elements of every field called `name` (RFC 9110 §5.6.1), trimmed, empty
    /// elements dropped: `Connection: keep-alive, Upgrade` gives `["keep-alive", "Upgrade"]`.
    public func listElements(for name: String) -> [Substring] {
        var elements: [Substring] = []
        for value in values(for: name) {
            for element in value.split(separator: ",") {
                let trimmed = element.trimmingOptionalWhitespace()
                if !trimmed.isEmpty { elements.append(trimmed) }
            }
        }
        return elements
    }

    /// Whether the list header `name` contains `token`, ignoring ASCII case (`Connection: Close` has `close`).
    public func containsToken(_ token: String, for name: String) -> Bool {
        listElements(for: name).contains { $0.equalsIgnoringASCIICase(token) }
    }

    public func makeIterator() -> IndexingIterator<[Element]> {
        fields.makeIterator()
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    // MARK: - Field syntax (RFC 9110 §5.1, §5.5), shared by the request serializer and the response parser

    /// Whether `byte` may appear in a token such as a field name: ALPHA, DIGIT or one of ``!#$%&'*+-.^_`|~``.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"),
            UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
            UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Whether `bytes` is a valid field name: a non-empty token.
    static func isValidName(_ bytes: some Collection<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isTokenByte)
    }

    /// Whether `bytes` may be a field value: no control character except horizontal tab. This is what keeps
    /// CR and LF (response splitting) and NUL out of a header.
    static func isValidValue(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == UInt8(ascii: "\t") || ($0 >= 0x20 && $0 != 0x7F) }
    }
}

extension StringProtocol {
    /// Equality ignoring the case of ASCII letters only, as HTTP names and tokens compare.
    func equalsIgnoringASCIICase(_ other: some StringProtocol) -> Bool {
        utf8.elementsEqual(other.utf8) { asciiLowercased($0) == asciiLowercased($1) }
    }

    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace, OWS).
    func trimmingOptionalWhitespace() -> SubSequence {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isWhitespace($0) }) else { return self[endIndex...] }
        let last = lastIndex { !isWhitespace($0) }!
        return self[first...last]
    }
}

private func asciiLowercased(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 0x20 : byte
}
