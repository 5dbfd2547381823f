import EventLoop
import Foundation
import Testing

struct FileReaderTests {
    private func temporaryFile(_ contents: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("file-reader-\(UUID().uuidString)")
            .path
        try Data(contents).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func readsAWholeFile() throws {
        let contents = (0..<40_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let path = try temporaryFile(contents)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try FileReader.read(path, maxBytes: 40_000) == contents)
    }

    @Test func anEmptyFileIsEmptyNotMissing() throws {
        let path = try temporaryFile([])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try FileReader.read(path, maxBytes: 10) == [])
    }

    @Test func aMissingFileIsNil() throws {
        #expect(try FileReader.read("/nonexistent/dir/config.json", maxBytes: 10) == nil)
        #expect(try FileReader.read("/etc/hostname/not-a-dir", maxBytes: 10) == nil)
    }

    @Test func aFileOverTheLimitIsAnError() throws {
        let path = try temporaryFile([UInt8](repeating: 1, count: 11))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: FileReadError.tooLarge(path: path, limit: 10)) { try FileReader.read(path, maxBytes: 10) }
    }

    @Test func aDirectoryCannotBeRead() {
        #expect(throws: FileReadError.self) { try FileReader.read("/tmp", maxBytes: 10) }
        do {
            _ = try FileReader.read("/tmp", maxBytes: 10)
        } catch {
            #expect(error.description.hasPrefix("The file /tmp cannot be read: read failed: Is a directory"))
        }
    }

    @Test func thereIsAtLeastOneProcessor() {
        #expect(Posix.onlineProcessorCount() >= 1)
        #expect(Posix.onlineProcessorCount() == ProcessInfo.processInfo.activeProcessorCount)
    }
}
