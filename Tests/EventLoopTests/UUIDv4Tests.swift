import EventLoop
import Testing

struct UUIDv4Tests {
    @Test func randomUUIDsCarryVersion4AndTheRFC4122Variant() {
        for _ in 0..<100 {
            let uuid = UUIDv4.random()
            #expect(uuid.bytes.count == 16)
            #expect(uuid.bytes[6] >> 4 == 4)
            #expect(uuid.bytes[8] >> 6 == 0b10)
            let text = Array(uuid.description.utf8)
            #expect(text[14] == UInt8(ascii: "4"))
            #expect([UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(text[19]))
        }
    }

    @Test func aThousandRandomUUIDsAreDistinct() {
        let uuids = Set((0..<1_000).map { _ in UUIDv4.random() })
        #expect(uuids.count == 1_000)
    }

    @Test func writesTheLowercaseHyphenatedForm() throws {
        let bytes: [UInt8] = [
            0x12, 0x3E, 0x45, 0x67, 0xE8, 0x9B, 0x42, 0xD3, 0xA4, 0x56, 0x55, 0x66, 0x42, 0x44, 0x00, 0x00,
        ]
        let uuid = try #require(UUIDv4(bytes: bytes))
        #expect(uuid.description == "123e4567-e89b-42d3-a456-556642440000")
        #expect(uuid.base64 == "Ej5FZ+ibQtOkVlVmQkQAAA==")
    }

    @Test func roundTripsThroughText() throws {
        for _ in 0..<100 {
            let uuid = UUIDv4.random()
            #expect(UUIDv4(string: uuid.description) == uuid)
            #expect(try UUIDv4(bytes: Base64.decode(uuid.base64)) == uuid)
        }
    }

    @Test func acceptsUppercaseText() {
        #expect(
            UUIDv4(string: "123E4567-E89B-42D3-A456-556642440000")?.description
                == "123e4567-e89b-42d3-a456-556642440000")
    }

    @Test func acceptsVersionsOneToFiveLikeTheMesosAgent() {
        for version in UInt8(0)...15 {
            var bytes = [UInt8](repeating: 0xAB, count: 16)
            bytes[6] = version << 4 | 0x01
            #expect((UUIDv4(bytes: bytes) != nil) == (1...5).contains(version), "version \(version)")
        }
        #expect(UUIDv4(string: "6ba7b810-9dad-11d1-80b4-00c04fd430c8") != nil)
        #expect(UUIDv4(string: "6ba7b810-9dad-01d1-80b4-00c04fd430c8") == nil)
        #expect(UUIDv4(string: "6ba7b810-9dad-61d1-80b4-00c04fd430c8") == nil)
    }

    @Test func rejectsMalformedInput() {
        #expect(UUIDv4(bytes: [UInt8](repeating: 0x40, count: 15)) == nil)
        #expect(UUIDv4(bytes: [UInt8](repeating: 0x40, count: 17)) == nil)
        let rejected = [
            "", "123e4567e89b42d3a456556642440000", "123e4567-e89b-42d3-a456-55664244000",
            "123e4567-e89b-42d3-a456-5566424400000", "123e4567+e89b-42d3-a456-556642440000",
            "123e456-7e89b-42d3-a456-556642440000", "123e4567-e89b-42d3-a456-55664244000g",
            "{23e4567-e89b-42d3-a456-556642440000", "123e4567-e89b-42d3-a456-5566424400\u{E9}",
        ]
        for text in rejected {
            #expect(UUIDv4(string: text) == nil, "\(text)")
        }
    }
}
