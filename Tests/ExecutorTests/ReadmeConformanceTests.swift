import Foundation
import Testing

@testable import Executor

/// The README's comparison of every setting with the original, and the settings table's markdown.
struct ReadmeConformanceTests {
    static func readme() throws -> String {
        let url = ProgramUnderTest.repositoryRoot.appendingPathComponent("README.md")
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The lines of the markdown table that starts with the line beginning with `header`.
    static func table(startingWith header: String, in text: String) -> [Substring] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix(header) }) else { return [] }
        return Array(lines[start...].prefix { $0.hasPrefix("|") })
    }

    @Test func theConformanceTableHasOneRowOfFourCellsPerSetting() throws {
        let rows = Self.table(
            startingWith: "| Setting | The original's parsing | Ours | Same value, same behaviour? |",
            in: try Self.readme())
        #expect(rows.count > 2, "the conformance table is missing")
        var named: [String] = []
        for row in rows.dropFirst(2) {
            let cells = row.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
            #expect(cells.count == 4, "\(row)")
            named.append(cells.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "")
        }
        let expected = ExecutorSettings.definitions.map { "`\($0.name)`" }
        #expect(named.sorted() == expected.sorted(), "every definition exactly once, nothing else")
    }

    @Test func theSettingsTableIsOneTableThroughItsLastRow() throws {
        let rows = Self.table(startingWith: "| Variable | Default | Meaning |", in: try Self.readme())
        for name in ExecutorSettings.definitions.map(\.name) + ["TASK_HOST", "DOCKER_HOST", "DOCKER_CONFIG"] {
            #expect(rows.contains { $0.hasPrefix("| `\(name)` |") }, "\(name) is outside the settings table")
        }
    }
}
