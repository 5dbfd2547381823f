/// Bounds on what a peer may make the response decoder buffer before it has produced anything.
///
/// Bodies are not bounded here: the decoder hands them out piece by piece without accumulating them, and a
/// caller that collects a body enforces its own limit (`HTTPClientError.bodyTooLarge`).
public struct HTTPLimits: Sendable, Equatable {
    /// Longest status, header or trailer line, excluding its line terminator.
    public var maxHeadLineLength: Int
    /// Largest head (status line plus header lines, terminators included); also bounds a trailer section.
    public var maxHeadSize: Int
    /// Most header lines in one head (or trailer fields after a chunked body).
    public var maxHeaderCount: Int
    /// Longest chunk-size line (hex size plus extensions), excluding its line terminator.
    public var maxChunkSizeLineLength: Int

    public init(
        maxHeadLineLength: Int = 8 * 1024,
        maxHeadSize: Int = 64 * 1024,
        maxHeaderCount: Int = 100,
        maxChunkSizeLineLength: Int = 1024
    ) {
        self.maxHeadLineLength = maxHeadLineLength
        self.maxHeadSize = maxHeadSize
        self.maxHeaderCount = maxHeaderCount
        self.maxChunkSizeLineLength = maxChunkSizeLineLength
    }

    /// The error for a head or trailer line, starting `lineStart` bytes into its section, that is longer than
    /// `maxHeadLineLength`. Both limits may be broken by the same bytes; the one whose bound the bytes pass first
    /// wins, so that the error does not depend on how the bytes were split into reads: fed a byte at a time, the
    /// line is known too long at its (maxHeadLineLength + 2)th byte, the section at its (maxHeadSize + 1)th.
    func tooLongLineError(lineStart: Int) -> HTTPClientError {
        lineStart + maxHeadLineLength + 1 > maxHeadSize
            ? .headTooLarge(limit: maxHeadSize) : .headLineTooLong(limit: maxHeadLineLength)
    }
}
