import EventLoop

/// A field of the TaskInfo JSON together with its path, so that every type or presence error names the field.
///
/// JSON `null` reads as absent: proto3 JSON writers may emit it for unset fields.
struct TaskInfoField {
    let value: JSONValue?
    /// The dotted path from the TaskInfo root, e.g. `container.volumes[1].mode`.
    let path: String

    init(_ value: JSONValue?, path: String) {
        // Spelled out: JSONValue is ExpressibleByNilLiteral, so a bare `nil` here would mean `.null`.
        if let value, !value.isNull {
            self.value = value
        } else {
            self.value = Optional<JSONValue>.none
        }
        self.path = path
    }

    var isPresent: Bool { value != nil }

    subscript(key: String) -> TaskInfoField {
        TaskInfoField(value?[key], path: path.isEmpty ? key : "\(path).\(key)")
    }

    func string() throws(TaskInfoError) -> String? {
        guard let value else { return nil }
        guard let string = value.stringValue else { throw .wrongType(field: path, expected: "a string") }
        return string
    }

    func requiredString() throws(TaskInfoError) -> String {
        guard let string = try string() else { throw .missing(field: path) }
        return string
    }

    func int() throws(TaskInfoError) -> Int64? {
        guard let value else { return nil }
        guard let number = value.int64Value else { throw .wrongType(field: path, expected: "an integer") }
        return number
    }

    func double() throws(TaskInfoError) -> Double? {
        guard let value else { return nil }
        guard let number = value.doubleValue else { throw .wrongType(field: path, expected: "a number") }
        return number
    }

    func bool() throws(TaskInfoError) -> Bool? {
        guard let value else { return nil }
        guard let flag = value.boolValue else { throw .wrongType(field: path, expected: "true or false") }
        return flag
    }

    /// The elements of an array field (empty when absent), each with its indexed path.
    func elements() throws(TaskInfoError) -> [TaskInfoField] {
        guard let value else { return [] }
        guard let array = value.arrayValue else { throw .wrongType(field: path, expected: "an array") }
        return array.enumerated().map { TaskInfoField($0.element, path: "\(path)[\($0.offset)]") }
    }

    /// Checks that a present field is an object (absent is fine).
    func requireObjectIfPresent() throws(TaskInfoError) {
        guard let value else { return }
        guard value.objectValue != nil else { throw .wrongType(field: path, expected: "an object") }
    }
}
