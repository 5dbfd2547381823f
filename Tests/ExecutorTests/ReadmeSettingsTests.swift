import Foundation
import Testing

@testable import Executor

/// The README's settings table is what operators read: it must list every setting with its real default.
struct ReadmeSettingsTests {
    @Test func readmeListsEverySettingWithItsDefault() throws {
        let readme = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        for definition in ExecutorSettings.definitions {
            let defaultCell = definition.defaultValue.isEmpty ? "(empty)" : "`\(definition.defaultValue)`"
            #expect(text.contains("| `\(definition.name)` | \(defaultCell) |"), "README row for \(definition.name)")
        }
    }
}
