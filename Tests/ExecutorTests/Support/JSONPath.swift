import EventLoop

/// Reads and writes nested JSON by a dotted path with indices (`container.volumes[0].mode`), so table tests can
/// say "this field, this value" in one line. Setting nil removes; an index one past the end appends.
extension JSONValue {
    subscript(path path: String) -> JSONValue? {
        get {
            var current: JSONValue? = self
            for component in Self.components(path) {
                switch component {
                case .key(let key): current = current?[key]
                case .index(let index): current = current?[index]
                }
            }
            return current
        }
        set {
            self = Self.setting(self, Self.components(path)[...], to: newValue) ?? .null
        }
    }

    private enum Component {
        case key(String)
        case index(Int)
    }

    private static func components(_ path: String) -> [Component] {
        var result: [Component] = []
        for part in path.split(separator: ".") {
            var name = Substring(part)
            var indices: [Int] = []
            while let open = name.lastIndex(of: "["), name.last == "]" {
                indices.insert(Int(name[name.index(after: open)..<name.index(before: name.endIndex)])!, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty { result.append(.key(String(name))) }
            result += indices.map { .index($0) }
        }
        return result
    }

    private static func setting(_ value: JSONValue?, _ path: ArraySlice<Component>, to newValue: JSONValue?)
        -> JSONValue?
    {
        guard let first = path.first else { return newValue }
        switch first {
        case .key(let key):
            var object = value?.objectValue ?? JSONObject()
            object[key] = setting(object[key], path.dropFirst(), to: newValue)
            return .object(object)
        case .index(let index):
            var array = value?.arrayValue ?? []
            let updated = setting(index < array.count ? array[index] : nil, path.dropFirst(), to: newValue)
            if index < array.count {
                if let updated { array[index] = updated } else { array.remove(at: index) }
            } else if let updated {
                array.append(updated)
            }
            return .array(array)
        }
    }
}
