import Testing

@testable import EventLoop

struct HTTPLineScannerTests {
    @Test func findsCRLFAndBareLFTerminatedLines() {
        var scanner = HTTPLineScanner()
        #expect(scanner.nextLine(in: ByteBuffer(string: "abc\r\nrest"), maxLength: 10) == .line(length: 3, consumed: 5))
        #expect(scanner.nextLine(in: ByteBuffer(string: "abc\nrest"), maxLength: 10) == .line(length: 3, consumed: 4))
        #expect(scanner.nextLine(in: ByteBuffer(string: "\r\n"), maxLength: 10) == .line(length: 0, consumed: 2))
        #expect(scanner.nextLine(in: ByteBuffer(string: "\n"), maxLength: 10) == .line(length: 0, consumed: 1))
    }

    @Test func leavesACRThatDoesNotEndTheLineInIt() {
        var scanner = HTTPLineScanner()
        #expect(scanner.nextLine(in: ByteBuffer(string: "a\rb\n"), maxLength: 10) == .line(length: 3, consumed: 4))
        #expect(scanner.nextLine(in: ByteBuffer(string: "a\r\r\n"), maxLength: 10) == .line(length: 2, consumed: 4))
    }

    @Test func resumesWhereItStoppedAsBytesArrive() {
        var scanner = HTTPLineScanner()
        var buffer = ByteBuffer(string: "ab")
        #expect(scanner.nextLine(in: buffer, maxLength: 10) == .needMoreBytes)
        buffer.append("c\r")
        #expect(scanner.nextLine(in: buffer, maxLength: 10) == .needMoreBytes)
        buffer.append("\nnext")
        #expect(scanner.nextLine(in: buffer, maxLength: 10) == .line(length: 3, consumed: 5))
        buffer.moveReaderIndex(forwardBy: 5)
        buffer.append("\n")
        #expect(scanner.nextLine(in: buffer, maxLength: 10) == .line(length: 4, consumed: 5))
    }

    @Test func acceptsALineOfExactlyTheLimit() {
        var scanner = HTTPLineScanner()
        #expect(scanner.nextLine(in: ByteBuffer(string: "12345\r\n"), maxLength: 5) == .line(length: 5, consumed: 7))
        #expect(scanner.nextLine(in: ByteBuffer(string: "12345\n"), maxLength: 5) == .line(length: 5, consumed: 6))
        #expect(scanner.nextLine(in: ByteBuffer(string: "12345\r"), maxLength: 5) == .needMoreBytes)
    }

    @Test func rejectsALongerLineWithoutWaitingForItsEnd() {
        var scanner = HTTPLineScanner()
        #expect(scanner.nextLine(in: ByteBuffer(string: "123456\n"), maxLength: 5) == .tooLong)
        #expect(scanner.nextLine(in: ByteBuffer(string: "123456\r\n"), maxLength: 5) == .tooLong)
        #expect(scanner.nextLine(in: ByteBuffer(string: "1234567"), maxLength: 5) == .tooLong)
        // A megabyte in one read is refused on sight, never searched end to end.
        let huge = ByteBuffer([UInt8](repeating: 0x61, count: 1 << 20) + [0x0A])
        #expect(scanner.nextLine(in: huge, maxLength: 8192) == .tooLong)
    }
}
