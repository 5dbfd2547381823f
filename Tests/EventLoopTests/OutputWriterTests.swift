import Foundation
import Testing

@testable import EventLoop

/// The writer of stdout/stderr against a real pipe whose reader stalls: the loop never waits, memory stays within
/// the queue's bound, the descriptor's flags are left alone, and every line arrives whole or is counted.
struct OutputWriterTests {
    final class Drops: @unchecked Sendable {
        var events: [(started: Bool, count: Int)] = []
    }

    @Test func aStalledReaderCostsWholeLinesNeverAWait() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer {
            close(ends[0])
            close(ends[1])
        }
        let loop = EventLoop(label: "output-writer")
        let queue = OutputLineQueue(capacity: 64 * 1024, reserve: 4096, maxSegment: 1024)
        let drops = Drops()
        let writer = loop.queue.sync {
            let writer = OutputWriter(fileDescriptor: ends[1], loop: loop, queue: queue)
            writer.onDrops = { started, count in drops.events.append((started, count)) }
            return writer
        }
        #expect(writer.kind == .pipe)
        // 4 MB of numbered lines while nobody reads: the pipe (64 kB) and the queue (64 kB) fill, the rest is dropped.
        let total = 40_000
        var maxQueued = 0
        for index in 0..<total {
            let line = Array("line \(index) ".utf8) + [UInt8](repeating: 46, count: 90) + [10]
            loop.queue.sync { writer.write(line, from: .relayed) }
            if index % 1000 == 0 { maxQueued = max(maxQueued, loop.queue.sync { writer.queuedBytes }) }
        }
        #expect(maxQueued <= queue.capacity + queue.reserve)
        #expect(loop.queue.sync { drops.events.first?.started } == true, "the first drop is announced")
        #expect(fcntl(ends[1], F_GETFL) & O_NONBLOCK == 0, "the shared description stays blocking")

        // The reader wakes up: everything queued arrives, then the count of what was dropped.
        _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let count = read(ends[0], &buffer, buffer.count)
            if count > 0 {
                received += buffer[0..<count]
            } else if loop.queue.sync(execute: { writer.queuedBytes == 0 && drops.events.count == 2 }) {
                // The writer is done: whatever it wrote since the last read is in the pipe now.
                while case let count = read(ends[0], &buffer, buffer.count), count > 0 { received += buffer[0..<count] }
                break
            } else {
                usleep(1000)
            }
        }
        let lines = received.split(separator: 10, omittingEmptySubsequences: false).dropLast()
        #expect(received.last == 10)
        var previous = -1
        for line in lines {
            let text = String(decoding: line, as: UTF8.self)
            #expect(text.hasPrefix("line ") && text.hasSuffix(String(repeating: ".", count: 90)), "whole: \(text)")
            let number = Int(text.dropFirst(5).prefix { $0 != " " }) ?? -1
            #expect(number > previous, "in order")
            previous = number
        }
        let reported = loop.queue.sync { drops.events }
        #expect(reported.count == 2)
        #expect(reported.last?.started == false)
        #expect(lines.count + (reported.last?.count ?? 0) == total, "every line arrived whole or was counted")
        #expect(loop.queue.sync { writer.totalDropped } == total - lines.count)
    }

    @Test func aRegularFileIsWrittenAtOnce() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID().uuidString)").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer {
            close(fd)
            unlink(path)
        }
        let loop = EventLoop(label: "output-writer-file")
        let writer = loop.queue.sync { OutputWriter(fileDescriptor: fd, loop: loop) }
        #expect(writer.kind == .file)
        loop.queue.sync {
            writer.write(Array("from the container\n".utf8), from: .relayed)
            writer.write(line: "from the executor\n")
        }
        #expect(loop.queue.sync { writer.queuedBytes } == 0)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "from the container\nfrom the executor\n")
    }

    @Test func aClosedReaderDropsAndCountsInsteadOfFailing() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        close(ends[0])
        defer { close(ends[1]) }
        signal(SIGPIPE, SIG_IGN)
        let loop = EventLoop(label: "output-writer-closed")
        let writer = loop.queue.sync { OutputWriter(fileDescriptor: ends[1], loop: loop) }
        loop.queue.sync {
            writer.write(Array("a\nb\n".utf8), from: .relayed)
            writer.write(Array("c\n".utf8), from: .relayed)
        }
        #expect(loop.queue.sync { writer.totalDropped } == 2, "the queued lines were counted; later ones ignored")
        #expect(loop.queue.sync { writer.queuedBytes } == 0)
    }
}
