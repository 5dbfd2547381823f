import EventLoop
import Testing

struct Base64Tests {
    private let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test func encodesTheRFC4648Vectors() {
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
        }
    }

    @Test func decodesTheRFC4648Vectors() throws {
        for (plain, encoded) in vectors {
            #expect(try Base64.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test func usesTheStandardAlphabetIncludingPlusAndSlash() throws {
        #expect(Base64.encode([0xFB, 0xFF, 0xBF]) == "+/+/")
        #expect(try Base64.decode("+/+/") == [0xFB, 0xFF, 0xBF])
        #expect(Base64.encode((0...255).map { UInt8($0) }).hasPrefix("AAECAwQFBgcICQoLDA0ODxAREhMU"))
    }

    @Test func roundTripsSeededRandomBytes() throws {
        var state: UInt64 = 12_345
        for length in 0..<200 {
            var bytes: [UInt8] = []
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(UInt8(truncatingIfNeeded: state >> 40))
            }
            let text = Base64.encode(bytes)
            #expect(text.utf8.count == (length + 2) / 3 * 4)
            #expect(try Base64.decode(text) == bytes)
        }
    }

    @Test func rejectsALengthThatIsNotAMultipleOfFour() {
        #expect(throws: Base64Error.invalidLength(3)) { try Base64.decode("Zg=") }
        #expect(throws: Base64Error.invalidLength(9)) { try Base64.decode("Zm9v Zg==") }
        #expect(throws: Base64Error.invalidLength(2)) { try Base64.decode("Zg") }
    }

    @Test func rejectsCharactersOutsideTheAlphabetWithTheirOffset() {
        #expect(throws: Base64Error.invalidCharacter(UInt8(ascii: "!"), offset: 3)) { try Base64.decode("Zm9!") }
        #expect(throws: Base64Error.invalidCharacter(UInt8(ascii: "-"), offset: 4)) { try Base64.decode("Zm9v-_==") }
        #expect(throws: Base64Error.invalidCharacter(0x0A, offset: 4)) { try Base64.decode("Zm9v\nZm8") }
        #expect(throws: Base64Error.invalidCharacter(0xC3, offset: 1)) { try Base64.decode("Z\u{E9}=") }
    }

    @Test func rejectsPaddingAnywhereButTheEnd() {
        #expect(throws: Base64Error.misplacedPadding(offset: 2)) { try Base64.decode("Zg==Zg==") }
        #expect(throws: Base64Error.misplacedPadding(offset: 1)) { try Base64.decode("Z===") }
        #expect(throws: Base64Error.misplacedPadding(offset: 0)) { try Base64.decode("====") }
        #expect(throws: Base64Error.misplacedPadding(offset: 2)) { try Base64.decode("Zg=A") }
    }

    @Test func rejectsNonZeroBitsBeforeThePadding() {
        #expect(throws: Base64Error.nonZeroTrailingBits(offset: 1)) { try Base64.decode("Zh==") }
        #expect(throws: Base64Error.nonZeroTrailingBits(offset: 2)) { try Base64.decode("Zm9=") }
    }

    @Test func describesErrorsAsSentences() {
        #expect(
            Base64Error.invalidCharacter(UInt8(ascii: "!"), offset: 3).description
                == "Invalid Base64 at byte 3: '!' is not in the Base64 alphabet.")
        #expect(Base64Error.invalidLength(3).description == "Invalid Base64: the length 3 is not a multiple of 4.")
        #expect(Base64Error.misplacedPadding(offset: 2).description.hasPrefix("Invalid Base64 at byte 2: "))
        #expect(Base64Error.nonZeroTrailingBits(offset: 1).description.hasSuffix("non-zero unused bits."))
    }
}
