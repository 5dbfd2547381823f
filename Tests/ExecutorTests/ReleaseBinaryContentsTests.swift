import Foundation
import Testing

/// Modules the release binary must not link. The standard library's substring search (`firstRange(of:)`,
/// `contains(_: String)`, `ranges(of:)`, `split(separator: String)`) lives in _StringProcessing, which brings
/// _RegexParser: a single call anywhere links both whole (2 MB of the binary), and every executor then maps the pages
/// of their conformance records at start-up, because the runtime reads every record the first time it looks up a
/// conformance (BENCHMARKS.md: 170 kB of a lone executor's Rss). The code searches with a Character or with
/// `ASCII.firstRange` instead; this test names the module that came back.
@Suite(.requires(.releaseBinary))
struct ReleaseBinaryContentsTests {
    /// The binary's bytes: its symbol table and its reflection metadata both spell a module's name as Swift mangles it.
    static func binaryContains(module: String) throws -> Bool {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: try ProgramUnderTest.binary()))
        return bytes.range(of: Data("\(module.utf8.count)\(module)".utf8)) != nil
    }

    @Test func theSearchFindsAModuleTheBinaryLinks() throws {
        #expect(try Self.binaryContains(module: "Executor"))
        #expect(try Self.binaryContains(module: "Dispatch"))
    }

    @Test(arguments: ["_StringProcessing", "_RegexParser"])
    func theBinaryDoesNotLink(module: String) throws {
        #expect(
            try !Self.binaryContains(module: module),
            "the release binary links \(module): find the call with `nm -u .build/release/Executor.build/*.o`")
    }
}
