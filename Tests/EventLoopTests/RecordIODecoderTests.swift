import EventLoop
import Testing

struct RecordIODecoderTests {
    private func decode(_ wire: [UInt8], maxRecordSize: Int = 16 << 20) -> DecodeRun<[UInt8], RecordIOError> {
        decodeEveryWay(RecordIODecoder(maxRecordSize: maxRecordSize), wire)
    }

    @Test func decodesConsecutiveRecords() {
        let run = decode(bytes("5\nhello3\nabc"))
        #expect(run.outputs == [bytes("hello"), bytes("abc")])
        #expect(run.error == nil)
        #expect(run.leftover.isEmpty)
    }

    @Test func waitsForTheWholeRecordAndLeavesTheNextOnesStart() {
        let run = decode(bytes("5\nhello10\nabc"))
        #expect(run.outputs == [bytes("hello")])
        #expect(run.leftover == bytes("abc"))
        #expect(decode(bytes("12")).leftover == bytes("12"))
    }

    @Test func keepsNewlinesAndBinaryBytesInsideARecord() {
        let payload: [UInt8] = [0x0A, 0x00, 0xFF, 0x0A, 0x31]
        #expect(decode(bytes("5\n") + payload + bytes("1\n\n")).outputs == [payload, [0x0A]])
    }

    @Test func decodesAZeroLengthAsAnEmptyRecord() {
        #expect(decode(bytes("0\n0\n2\nok")).outputs == [[], [], bytes("ok")])
    }

    @Test func acceptsLeadingZerosAndTheMaximumRecordSize() {
        #expect(decode(bytes("0003\nabc"), maxRecordSize: 3).outputs == [bytes("abc")])
    }

    @Test func rejectsANonDigitAtItsStreamOffset() {
        #expect(decode(bytes("1x\n")).error == .invalidLengthCharacter(UInt8(ascii: "x"), offset: 1))
        #expect(decode(bytes("2\nok3\r\nabc")).error == .invalidLengthCharacter(UInt8(ascii: "\r"), offset: 5))
        #expect(decode(bytes("-1\n")).error == .invalidLengthCharacter(UInt8(ascii: "-"), offset: 0))
        #expect(decode(bytes(" 1\n")).error == .invalidLengthCharacter(UInt8(ascii: " "), offset: 0))
    }

    @Test func rejectsAnEmptyLength() {
        #expect(decode(bytes("\nabc")).error == .emptyLength(offset: 0))
        #expect(decode(bytes("1\na\n")).error == .emptyLength(offset: 3))
    }

    @Test func rejectsALengthLineLongerThanTwentyDigitsWithoutWaitingForItsEnd() throws {
        #expect(decode(bytes(String(repeating: "0", count: 20) + "\n")).outputs == [[]])
        var decoder = RecordIODecoder()
        var buffer = ByteBuffer(string: String(repeating: "0", count: 20))
        #expect(try decoder.decode(&buffer) == nil)
        buffer.append("0")
        #expect(throws: RecordIOError.lengthLineTooLong(offset: 0)) { try decoder.decode(&buffer) }
    }

    @Test func rejectsAnOversizedRecordOnceItsLengthIsReadWithoutAllocatingIt() throws {
        var decoder = RecordIODecoder()
        var buffer = ByteBuffer(string: "1000000000\n")
        #expect(
            throws: RecordIOError.recordTooLarge(length: "1000000000", limit: 16 << 20, offset: 0)
        ) {
            try decoder.decode(&buffer)
        }
        #expect(buffer.capacity < 1024)
        #expect(decode(bytes("4\nabc")).leftover == bytes("abc"))
        #expect(
            decode(bytes("4\nabcd"), maxRecordSize: 3).error == .recordTooLarge(length: "4", limit: 3, offset: 0))
    }

    @Test func rejectsALengthThatOverflowsAsTooLarge() {
        let digits = String(repeating: "9", count: 20)
        #expect(
            decode(bytes("1\na" + digits + "\n")).error
                == .recordTooLarge(length: digits, limit: 16 << 20, offset: 3))
    }
}
