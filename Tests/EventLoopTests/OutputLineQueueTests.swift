import EventLoop
import TestSupport
import Testing

/// The bounded queue of a slow output: whole lines in, whole lines dropped and counted, memory bounded.
struct OutputLineQueueTests {
    static func lines(_ count: Int, width: Int = 10) -> [[UInt8]] {
        (0..<count).map { index in
            let number = String(index)
            return Array((number + String(repeating: "x", count: max(0, width - number.count - 1)) + "\n").utf8)
        }
    }

    /// Feeds `bytes` in random splits (seeded), as a log stream's frames cut it.
    static func feed(_ bytes: [UInt8], into queue: inout OutputLineQueue, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + Int.random(in: 1...37, using: &generator))
            queue.append(bytes[start..<end], from: .relayed)
            start = end
        }
    }

    @Test func linesThatFitAreKeptWhole() {
        var queue = OutputLineQueue(capacity: 1024, reserve: 0, maxSegment: 64)
        let lines = Self.lines(20)
        Self.feed(lines.flatMap { $0 }, into: &queue, seed: 1)
        #expect(Array(queue.bytes) == lines.flatMap { $0 })
        #expect(queue.takeDropped() == 0)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func aFullQueueDropsWholeLinesAndCountsThem(seed: UInt64) {
        var queue = OutputLineQueue(capacity: 256, reserve: 0, maxSegment: 32)
        let lines = Self.lines(100, width: 20)
        Self.feed(lines.flatMap { $0 }, into: &queue, seed: seed)
        #expect(queue.count <= queue.capacity, "the bound holds")
        // What is kept is a sequence of whole lines, in order, each one of the input's.
        let kept = queue.bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        #expect(queue.bytes.last == UInt8(ascii: "\n"))
        let expected = Set(lines.map { Array($0.dropLast()) })
        #expect(kept.allSatisfy { expected.contains(Array($0)) })
        #expect(queue.takeDropped() == lines.count - kept.count, "every line is either kept or counted")
        #expect(queue.takeDropped() == 0, "taking the count resets it")
    }

    @Test func roomMadeByTheReaderAdmitsTheNextLine() {
        var queue = OutputLineQueue(capacity: 64, reserve: 0, maxSegment: 32)
        queue.append(Array(String(repeating: "a", count: 39).utf8) + [10], from: .relayed)
        queue.append(Array("dropped\n".utf8), from: .relayed)
        #expect(queue.takeDropped() == 1)
        queue.consume(40)
        queue.append(Array("kept\n".utf8), from: .relayed)
        #expect(Array(queue.bytes) == Array("kept\n".utf8))
    }

    @Test func aLineWithoutEndCountsOncePerSegment() {
        var queue = OutputLineQueue(capacity: 64, reserve: 0, maxSegment: 16)
        queue.append([UInt8](repeating: 65, count: 64), from: .relayed)
        #expect(queue.count == 64, "each 16-byte segment is admitted while a whole one still fits")
        queue.append([UInt8](repeating: 65, count: 100) + [10], from: .relayed)
        #expect(queue.count == 64, "a segment that does not fit is dropped, and its line up to the newline")
        #expect(queue.takeDropped() == 1)
    }

    @Test func theProgramsOwnLinesUseTheReserve() {
        var queue = OutputLineQueue(capacity: 64, reserve: 32, maxSegment: 16)
        queue.append([UInt8](repeating: 65, count: 63) + [10], from: .relayed)
        queue.append(Array("container\n".utf8), from: .relayed)
        queue.append(Array("executor line\n".utf8), from: .program)
        #expect(queue.takeDropped() == 1)
        #expect(queue.bytes.suffix(14).elementsEqual("executor line\n".utf8))
        queue.append([UInt8](repeating: 66, count: 40), from: .program)
        #expect(queue.takeDropped() == 1, "beyond the reserve, the program's lines are dropped too")
    }

    @Test func discardingCountsTheLinesLost() {
        var queue = OutputLineQueue(capacity: 64, reserve: 0, maxSegment: 16)
        queue.append(Array("a\nb\nc".utf8), from: .relayed)
        queue.discardAll()
        #expect(queue.isEmpty)
        #expect(queue.takeDropped() == 2)
    }
}
