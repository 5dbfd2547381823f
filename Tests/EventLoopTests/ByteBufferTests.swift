import EventLoop
import Testing

struct ByteBufferTests {
    @Test func readsWhatWasAppendedInOrder() {
        var buffer = ByteBuffer(string: "hello world")
        #expect(buffer.readBytes(5) == Array("hello".utf8))
        #expect(buffer.readableBytes == 6)
        #expect(buffer.firstOffset(of: UInt8(ascii: "w")) == 1)
        #expect(buffer.readBytes(7) == nil)
        #expect(buffer.readAll() == Array(" world".utf8))
        #expect(buffer.isEmpty)
    }

    @Test func releasesOversizedStorageOnceDrained() {
        var buffer = ByteBuffer()
        buffer.append(contentsOf: [UInt8](repeating: 7, count: 1 << 20))
        #expect(buffer.capacity >= 1 << 20)
        buffer.moveReaderIndex(forwardBy: 1 << 20)
        #expect(buffer.capacity <= ByteBuffer.retainedCapacity)
    }

    @Test func compactsConsumedBytesWithoutLosingUnreadOnes() {
        var buffer = ByteBuffer()
        buffer.append(contentsOf: (0..<10_000).map { UInt8(truncatingIfNeeded: $0) })
        buffer.moveReaderIndex(forwardBy: 6_000)
        #expect(buffer.readerIndex == 0)
        #expect(buffer[0] == UInt8(truncatingIfNeeded: 6_000))
        #expect(buffer.readableBytes == 4_000)
    }
}
