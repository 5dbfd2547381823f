/// Limits on what a peer may make the parser allocate or recurse into.
public struct JSONLimits: Sendable, Equatable {
    /// Deepest nesting of arrays and objects accepted; 0 allows only scalars at the top level. The parser itself
    /// never recurses, but freeing and serializing a value do, one stack frame per level: keep this modest.
    public var maxDepth: Int
    /// Longest string (counted in input bytes, before unescaping), or nil for no limit.
    public var maxStringBytes: Int?
    /// Largest document, or nil for no limit.
    public var maxDocumentBytes: Int?

    public init(maxDepth: Int = 64, maxStringBytes: Int? = nil, maxDocumentBytes: Int? = nil) {
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
        self.maxDocumentBytes = maxDocumentBytes
    }

    /// Depth 64, strings and documents unbounded (the caller bounds what it reads).
    public static let `default` = JSONLimits()
}
