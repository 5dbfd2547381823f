/// A growable byte buffer with a read cursor, the one currency of every decoder in this library.
///
/// Bytes are appended at the end and consumed from `readerIndex`. Decoders look at the readable bytes,
/// consume what forms a complete message and leave the rest for the next read. Consumed bytes are
/// dropped lazily (`compact()`), and a buffer that has been drained gives its storage back when it had
/// grown past `retainedCapacity`, so one burst does not pin memory for the life of a long-lived process.
public struct ByteBuffer: Sendable, Equatable {
    /// Storage kept across a full drain; anything larger is released so memory shrinks after a burst.
    public static let retainedCapacity = 16 * 1024

    @usableFromInline var storage: [UInt8]
    /// Offset of the first unread byte in `storage`.
    public private(set) var readerIndex: Int

    public init() {
        storage = []
        readerIndex = 0
    }

    public init<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        storage = Array(bytes)
        readerIndex = 0
    }

    public init(string: String) {
        self.init(string.utf8)
    }

    /// The number of bytes not consumed yet.
    @inlinable public var readableBytes: Int { storage.count - readerIndex }

    @inlinable public var isEmpty: Bool { readableBytes == 0 }

    /// The unread bytes, indexed as in the underlying storage (starting at `readerIndex`).
    @inlinable public var readableView: ArraySlice<UInt8> { storage[readerIndex...] }

    /// The unread bytes as a fresh array.
    public var readableArray: [UInt8] { Array(readableView) }

    /// The unread byte at `offset` from the reader index.
    @inlinable public subscript(offset: Int) -> UInt8 {
        storage[readerIndex + offset]
    }

    public mutating func append<Bytes: Sequence>(contentsOf bytes: Bytes) where Bytes.Element == UInt8 {
        storage.append(contentsOf: bytes)
    }

    public mutating func append(_ string: String) {
        storage.append(contentsOf: string.utf8)
    }

    public mutating func append(_ byte: UInt8) {
        storage.append(byte)
    }

    /// Offset (from the reader index) of the first `byte` at or after `offset`, if any.
    @inlinable public func firstOffset(of byte: UInt8, from offset: Int = 0) -> Int? {
        var index = readerIndex + offset
        let end = storage.count
        while index < end {
            if storage[index] == byte { return index - readerIndex }
            index += 1
        }
        return nil
    }

    /// Consumes `count` bytes without copying them.
    public mutating func moveReaderIndex(forwardBy count: Int) {
        precondition(count >= 0 && count <= readableBytes, "cannot skip \(count) of \(readableBytes) bytes")
        readerIndex += count
        compact()
    }

    /// Consumes and returns `count` bytes, or nil (consuming nothing) when fewer are readable.
    public mutating func readBytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, count <= readableBytes else { return nil }
        let bytes = Array(storage[readerIndex..<readerIndex + count])
        readerIndex += count
        compact()
        return bytes
    }

    /// Consumes and returns every readable byte.
    public mutating func readAll() -> [UInt8] {
        readBytes(readableBytes) ?? []
    }

    /// Drops consumed bytes once they are worth a copy, and releases oversized storage once drained.
    @usableFromInline mutating func compact() {
        if readerIndex == storage.count {
            storage.removeAll(keepingCapacity: storage.capacity <= Self.retainedCapacity)
            readerIndex = 0
        } else if readerIndex >= 4096 && readerIndex * 2 >= storage.count {
            storage.removeSubrange(0..<readerIndex)
            readerIndex = 0
        }
    }

    /// Capacity of the underlying storage, for tests and memory accounting.
    public var capacity: Int { storage.capacity }

    public static func == (lhs: ByteBuffer, rhs: ByteBuffer) -> Bool {
        lhs.readableView.elementsEqual(rhs.readableView)
    }
}
