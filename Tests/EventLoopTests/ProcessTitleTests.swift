import Testing

@testable import EventLoop

/// The rewrite of the argument area: cut to fit before its last byte, the rest zeroed, never past its end.
struct ProcessTitleTests {
    static func rewrite(_ original: String, _ title: String) -> (written: String, area: [CChar]) {
        var area = Array(original.utf8).map { CChar(bitPattern: $0 == 32 ? 0 : $0) } + [0]
        let written = area.withUnsafeMutableBufferPointer { ProcessTitle.rewrite($0, with: title) }
        return (written, area)
    }

    @Test func aShortTitleIsWrittenAndTheRestZeroed() {
        let (written, area) = Self.rewrite("/sandbox/sidecar-executor -logtostderr=true", "sidecar-executor abc (x)")
        #expect(written == "sidecar-executor abc (x)")
        #expect(area.count == 44)
        #expect(String(decoding: area.prefix(24).map { UInt8(bitPattern: $0) }, as: UTF8.self) == written)
        #expect(area.dropFirst(24).allSatisfy { $0 == 0 })
    }

    @Test func aLongTitleIsCutToTheAreaLessItsFinalNUL() {
        let (written, area) = Self.rewrite("./sx", "sidecar-executor 0123456789ab (busybox)")
        #expect(written == "side")
        #expect(area == [115, 105, 100, 101, 0])
    }

    @Test func aCharacterIsNeverCutInHalf() {
        let (written, area) = Self.rewrite("abcd", "abcé")
        #expect(written == "abc", "é takes two bytes and only one is left")
        #expect(area == [97, 98, 99, 0, 0])
    }
}
