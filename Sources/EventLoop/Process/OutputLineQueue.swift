/// The bytes waiting for a slow output descriptor, bounded: when the reader falls behind, whole lines are dropped
/// and counted instead of the memory growing or the writer waiting. Pure: no I/O.
///
/// Relayed output (a container's) is admitted a line at a time: at the start of each line the queue decides,
/// once, whether the whole line fits; if not, every byte up to the line's newline is dropped, so nothing half a line
/// long is ever written. A line longer than `maxSegment` counts as several (the decision is taken again after each
/// `maxSegment` bytes), so a container writing without newlines cannot pin a decision forever. The program's own
/// lines (its log, its status lines) come whole and may also use `reserve`, so the executor's own account of what
/// happened survives a flood of container output.
public struct OutputLineQueue: Sendable {
    /// Who wrote the bytes.
    public enum Origin: Sendable {
        /// The program's own complete lines.
        case program
        /// Output relayed from elsewhere (a container), arbitrary chunks.
        case relayed
    }

    static let newline = UInt8(ascii: "\n")

    public let capacity: Int
    public let reserve: Int
    public let maxSegment: Int
    private var pending = ByteBuffer()
    /// Bytes left to the relayed line admitted last, or nil at a line start.
    private var admittedLeft: Int?
    /// The relayed line being dropped (until its newline).
    private var droppingLine = false
    /// Lines dropped since the last `takeDropped()`.
    public private(set) var dropped = 0

    public init(capacity: Int = 256 * 1024, reserve: Int = 64 * 1024, maxSegment: Int = 16 * 1024) {
        precondition(maxSegment <= capacity, "a whole segment must fit in the queue")
        self.capacity = capacity
        self.reserve = reserve
        self.maxSegment = maxSegment
    }

    /// Bytes waiting to be written.
    public var count: Int { pending.readableBytes }
    public var isEmpty: Bool { pending.isEmpty }
    /// The waiting bytes, oldest first.
    public var bytes: ArraySlice<UInt8> { pending.readableView }

    /// Queues what fits of `bytes`, by the rules above.
    public mutating func append(_ bytes: some Collection<UInt8>, from origin: Origin) {
        switch origin {
        case .program:
            if pending.readableBytes + bytes.count <= capacity + reserve {
                pending.append(contentsOf: bytes)
            } else {
                dropped += 1
            }
        case .relayed:
            appendRelayed(bytes)
        }
    }

    private mutating func appendRelayed(_ bytes: some Collection<UInt8>) {
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if droppingLine {
                guard let newline = bytes[index...].firstIndex(of: Self.newline) else { return }
                droppingLine = false
                index = bytes.index(after: newline)
                continue
            }
            let allowance: Int
            if let left = admittedLeft {
                allowance = left
            } else if pending.readableBytes + maxSegment <= capacity {
                allowance = maxSegment
            } else {
                dropped += 1
                droppingLine = true
                continue
            }
            let rest = bytes[index...]
            let newlineIndex = rest.firstIndex(of: Self.newline)
            let lineEnd = newlineIndex.map { bytes.index(after: $0) } ?? bytes.endIndex
            let lineLength = bytes.distance(from: index, to: lineEnd)
            let taken = min(lineLength, allowance)
            let end = bytes.index(index, offsetBy: taken)
            pending.append(contentsOf: bytes[index..<end])
            // After a newline, or once the segment is used up, the next byte starts a new decision.
            let left = allowance - taken
            let endsLine = newlineIndex != nil && taken == lineLength
            admittedLeft = endsLine || left == 0 ? nil : left
            index = end
        }
    }

    /// Removes the first `count` bytes, once written.
    public mutating func consume(_ count: Int) {
        pending.moveReaderIndex(forwardBy: count)
    }

    /// Gives up everything waiting (the descriptor is gone); the lines are counted as dropped.
    public mutating func discardAll() {
        guard !pending.isEmpty else { return }
        dropped += max(1, pending.readableView.lazy.filter { $0 == Self.newline }.count)
        pending.moveReaderIndex(forwardBy: pending.readableBytes)
        admittedLeft = nil
    }

    /// The count of dropped lines since the last call, which it resets.
    public mutating func takeDropped() -> Int {
        defer { dropped = 0 }
        return dropped
    }
}
