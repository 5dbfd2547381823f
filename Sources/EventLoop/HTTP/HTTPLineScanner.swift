/// Finds the end of the next line in a buffer, for the head, trailer and chunk-size parsers.
///
/// A line ends at LF; a CR right before the LF belongs to the terminator. RFC 9112 §2.2 lets a recipient
/// accept a bare LF, and we do: Go and libprocess always send CRLF, so this only adds tolerance, and a CR
/// anywhere else stays in the line for the caller's validation to reject. The scanner remembers how far it
/// has looked, so bytes arriving one at a time cost O(n) in total, not O(n²), and it never looks further
/// than the limit allows, so a peer streaming an endless line is stopped within one byte of the limit.
struct HTTPLineScanner: Sendable, Equatable {
    enum Outcome: Sendable, Equatable {
        /// A complete line: its content is the first `length` readable bytes, and `consumed` bytes
        /// (content plus terminator) belong to it.
        case line(length: Int, consumed: Int)
        case needMoreBytes
        /// The line's content is already longer than `maxLength`.
        case tooLong
    }

    /// Readable bytes already known to hold no LF.
    private var scanned = 0

    /// Looks for the line starting at the buffer's reader index. The caller consumes `consumed` bytes after
    /// a `.line`; the scanner resets itself then, and must not be reused across different buffers.
    mutating func nextLine(in buffer: ByteBuffer, maxLength: Int) -> Outcome {
        let view = buffer.readableView
        // Content of maxLength + 1 bytes, or maxLength + 1 bytes ending in a non-CR, is already too long.
        let window = view.prefix(maxLength + 2)
        guard let newline = window.dropFirst(scanned).firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = window.count
            return view.count > maxLength + 1 ? .tooLong : .needMoreBytes
        }
        scanned = 0
        let end = newline - view.startIndex
        let length = end > 0 && view[newline - 1] == UInt8(ascii: "\r") ? end - 1 : end
        return length > maxLength ? .tooLong : .line(length: length, consumed: end + 1)
    }
}
