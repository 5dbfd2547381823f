import EventLoop
import TestSupport
import Testing

@testable import Executor

struct ExecutorEventStreamDecoderTests {
    static let uuid = UUIDv4.random()
    static let records = [
        ExecutorEventTests.subscribed,
        #"{"type":"LAUNCH","launch":{"task":{"name":"web","task_id":{"value":"t1"},"agent_id":{"value":"ag"}}}}"#,
        #"{"type":"ACKNOWLEDGED","acknowledged":{"task_id":{"value":"t1"},"uuid":""# + uuid.base64 + #""}}"#,
        #"{"type":"HEARTBEAT"}"#,
        #"{"type":"MESSAGE","message":{"data":"w6k="}}"#,
    ]

    static var stream: [UInt8] {
        records.flatMap { RecordIO.encode(Array($0.utf8)) }
    }

    /// Feeds `bytes` in pieces of the given sizes, collecting events until the input ends or an error.
    private func feed(_ bytes: [UInt8], pieces: [Int]) -> (events: [ExecutorEvent], error: ExecutorEventStreamError?) {
        var decoder = ExecutorEventStreamDecoder(maxEventBytes: 64 * 1024, jsonLimits: JSONLimits(maxDepth: 16))
        var buffer = ByteBuffer()
        var events: [ExecutorEvent] = []
        var start = 0
        for size in pieces + [bytes.count] where start < bytes.count {
            let end = min(bytes.count, start + size)
            buffer.append(contentsOf: bytes[start..<end])
            start = end
            do {
                while let event = try decoder.decode(&buffer) {
                    events.append(event)
                }
            } catch {
                return (events, error)
            }
        }
        return (events, nil)
    }

    private func randomPieces(seed: UInt64, total: Int) -> [Int] {
        var generator = SeededGenerator(seed: seed)
        var pieces: [Int] = []
        var covered = 0
        while covered < total {
            let size = Int.random(in: 1...64, using: &generator)
            pieces.append(size)
            covered += size
        }
        return pieces
    }

    @Test func wholeByteByByteAndRandomSplitsGiveTheSameEvents() throws {
        let bytes = Self.stream
        let whole = feed(bytes, pieces: [bytes.count])
        #expect(whole.error == nil)
        #expect(whole.events.count == 5)
        #expect(whole.events[2] == .acknowledged(taskID: "t1", uuid: Self.uuid))
        #expect(whole.events[4] == .message(data: [0xC3, 0xA9]))
        let byteByByte = feed(bytes, pieces: Array(repeating: 1, count: bytes.count))
        #expect(byteByByte.events == whole.events)
        #expect(byteByByte.error == nil)
        for seed in UInt64(1)...20 {
            let split = feed(bytes, pieces: randomPieces(seed: seed, total: bytes.count))
            #expect(split.events == whole.events, "seed \(seed)")
            #expect(split.error == nil)
        }
    }

    @Test func aBadLengthIsAFramingError() {
        let bytes = Array("12x\n{}".utf8)
        for pieces in [[bytes.count], Array(repeating: 1, count: bytes.count)] {
            let result = feed(Self.stream + bytes, pieces: pieces)
            #expect(result.events.count == 5)
            guard case .framing(5, .invalidLengthCharacter(UInt8(ascii: "x"), _)) = result.error else {
                Issue.record("expected a framing error, got \(String(describing: result.error))")
                return
            }
        }
    }

    @Test func aHugeAnnouncedRecordIsRejectedBeforeItsBytesArrive() {
        // Only the length line: nothing of the gigabyte is sent, and nothing is allocated for it.
        let result = feed(Array("1000000000\n".utf8), pieces: [11])
        guard case .framing(0, .recordTooLarge(_, 65536, _)) = result.error else {
            Issue.record("expected recordTooLarge, got \(String(describing: result.error))")
            return
        }
    }

    @Test func badJSONInvalidUTF8AndDeepNestingAreJSONErrors() {
        let cases: [[UInt8]] = [
            Array(#"{"type":"HEARTBEAT""#.utf8),
            Array(#"{"type":"HEART"#.utf8) + [0xFF] + Array(#""}"#.utf8),
            Array(repeating: UInt8(ascii: "["), count: 100) + Array(repeating: UInt8(ascii: "]"), count: 100),
        ]
        for record in cases {
            let result = feed(RecordIO.encode(record), pieces: [3, 5, 7])
            guard case .json(0, _) = result.error else {
                Issue.record("expected a JSON error, got \(String(describing: result.error))")
                continue
            }
        }
    }

    @Test func aMalformedEventIsAnEventError() {
        let result = feed(RecordIO.encode(Array(#"{"type":"KILL","kill":{}}"#.utf8)), pieces: [100])
        #expect(result.error == .event(index: 0, .missingField(event: "KILL", path: "kill.task_id.value")))
        #expect(
            result.error?.description.hasPrefix("Record 0 of the agent's event stream is not a valid event") == true)
    }

    @Test func aPartialRecordWaitsForMoreBytes() {
        let bytes = Self.stream
        let result = feed(Array(bytes.dropLast()), pieces: [bytes.count])
        #expect(result.error == nil)
        #expect(result.events.count == 4)
    }
}
