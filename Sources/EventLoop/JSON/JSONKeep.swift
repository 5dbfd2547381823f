/// Which parts of a document `JSON.parse(_:keeping:limits:)` keeps.
///
/// The objects along `path`, from the top-level object on, keep only the member on it (a nil step matches any key),
/// and the value at its end is kept whole, as are the top-level members named in `topLevelMembers`. Everything else
/// is parsed and validated as usual, then dropped: a container off the path is kept nowhere, and an array on the path
/// keeps no elements (it stays an array, so a caller can still tell it is not the object it expected). A scalar on
/// the path is kept as it is.
///
/// For a client that needs one entry of a large document every few seconds (Sidecar's state lists every service of
/// the cluster): the document costs no tree, only the entry does.
public struct JSONKeep: Sendable, Equatable {
    public var path: [String?]
    public var topLevelMembers: [String]

    public init(path: [String?], topLevelMembers: [String] = []) {
        self.path = path
        self.topLevelMembers = topLevelMembers
    }

    /// What happens to one value while parsing.
    enum Rule: Equatable {
        case keepAll
        case drop
        /// An object or array at this depth of `path` (0: the top-level value).
        case onPath(Int)
    }

    /// The rule for the value of member `key` of a container parsed under `rule`.
    func rule(forMember key: String, of rule: Rule) -> Rule {
        switch rule {
        case .keepAll: return .keepAll
        case .drop: return .drop
        case .onPath(let depth):
            if depth == 0 && topLevelMembers.contains(key) { return .keepAll }
            guard depth < path.count, path[depth] == nil || path[depth] == key else { return .drop }
            return depth == path.count - 1 ? .keepAll : .onPath(depth + 1)
        }
    }

    /// The rule for the elements of an array parsed under `rule`: paths run through objects only.
    static func rule(forElementOf rule: Rule) -> Rule {
        rule == .keepAll ? .keepAll : .drop
    }
}
