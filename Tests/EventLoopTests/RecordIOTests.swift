import EventLoop
import Testing

struct RecordIOTests {
    @Test func framesARecordWithItsDecimalLengthAndALineFeed() {
        #expect(RecordIO.encode(bytes(#"{"type":"HEARTBEAT"}"#)) == bytes(#"20\#n{"type":"HEARTBEAT"}"#))
        #expect(RecordIO.encode([UInt8]()) == bytes("0\n"))
        #expect(RecordIO.encode(bytes("é")) == bytes("2\né"))
    }

    @Test func appendsToExistingOutput() {
        var output = RecordIO.encode(bytes("a"))
        RecordIO.encode(bytes("bc").dropFirst(), into: &output)
        #expect(output == bytes("1\na1\nc"))
    }

    @Test func roundTripsThroughTheDecoder() throws {
        let records = [bytes("{}"), [], [UInt8](repeating: 0x0A, count: 300), bytes(#"{"type":"SUBSCRIBED"}"#)]
        var wire: [UInt8] = []
        for record in records { RecordIO.encode(record, into: &wire) }
        var decoder = RecordIODecoder()
        var buffer = ByteBuffer(wire)
        var decoded: [[UInt8]] = []
        while let record = try decoder.decode(&buffer) { decoded.append(record) }
        #expect(decoded == records)
    }
}
