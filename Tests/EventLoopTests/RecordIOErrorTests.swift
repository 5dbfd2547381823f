import EventLoop
import Testing

struct RecordIOErrorTests {
    @Test func describesEachErrorAsASentenceWithItsOffset() {
        #expect(
            RecordIOError.invalidLengthCharacter(UInt8(ascii: "\r"), offset: 5).description
                == "The RecordIO length at byte 5 contains '\\r', which is not a decimal digit.")
        #expect(
            RecordIOError.emptyLength(offset: 3).description
                == "The RecordIO record at byte 3 has an empty length line.")
        #expect(
            RecordIOError.lengthLineTooLong(offset: 0).description
                == "The RecordIO length line at byte 0 is longer than 20 digits.")
        #expect(
            RecordIOError.recordTooLarge(length: "1000000000", limit: 16_777_216, offset: 42).description
                == "The RecordIO record at byte 42 announces 1000000000 bytes, more than the limit of 16777216.")
    }
}
