import Testing

@testable import EventLoop

struct JSONUTF8ValidationTests {
    private func firstInvalid(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { JSONUTF8Validation.firstInvalidOffset(in: $0) }
    }

    @Test func acceptsWellFormedUTF8OfEveryLength() {
        #expect(firstInvalid([]) == nil)
        #expect(firstInvalid(Array("plain ascii".utf8)) == nil)
        #expect(firstInvalid(Array("\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}\u{D7FF}\u{E000}".utf8)) == nil)
    }

    @Test func pointsAtTheStartOfTheFirstBadSequence() {
        #expect(firstInvalid([0x61, 0xC3, 0x28]) == 1)
        #expect(firstInvalid([0x61, 0x62, 0xFF]) == 2)
        #expect(firstInvalid([0xC0, 0xAF]) == 0)
        #expect(firstInvalid([0xC1, 0xBF]) == 0)
        #expect(firstInvalid([0xE0, 0x9F, 0xBF]) == 0)
        #expect(firstInvalid([0xED, 0xA0, 0x80]) == 0)
        #expect(firstInvalid([0xF0, 0x8F, 0xBF, 0xBF]) == 0)
        #expect(firstInvalid([0xF4, 0x90, 0x80, 0x80]) == 0)
        #expect(firstInvalid([0xF5, 0x80, 0x80, 0x80]) == 0)
        #expect(firstInvalid([0x80]) == 0)
        #expect(firstInvalid([0xE2, 0x82]) == 0)
        #expect(firstInvalid([0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98]) == 3)
        #expect(firstInvalid([0xF0, 0x9F, 0x98, 0x41]) == 0)
    }

    @Test func agreesWithTheStandardLibraryOnRandomBytes() {
        var state: UInt64 = 0xC0FFEE
        for _ in 0..<2_000 {
            var bytes: [UInt8] = []
            for _ in 0..<8 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                // Bias toward the interesting range (continuation and lead bytes) with some ASCII.
                let byte = UInt8(truncatingIfNeeded: state >> 33)
                bytes.append(byte < 0x40 ? byte : byte | 0x80)
            }
            let valid = String(validating: bytes, as: UTF8.self) != nil
            #expect((firstInvalid(bytes) == nil) == valid, "\(bytes)")
        }
    }
}
