/// Reads small files whole (configuration such as a Docker `config.json`), with a size bound: a file larger than
/// expected is an error rather than an allocation.
///
/// Blocking, which is acceptable for a local file of a few kilobytes read once at start-up or launch.
public enum FileReader {
    /// The file's bytes, or nil when it does not exist.
    public static func read(_ path: String, maxBytes: Int) throws(FileReadError) -> [UInt8]? {
        let descriptor: Int32?
        do {
            descriptor = try Posix.openForReading(path)
        } catch {
            throw .failed(path: path, error)
        }
        guard let descriptor else { return nil }
        defer { Posix.close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let outcome = chunk.withUnsafeMutableBytes { buffer in
                Result { () throws(SystemError) in try Posix.read(descriptor, into: buffer) }
            }
            let result: IOResult<Int>
            switch outcome {
            case .success(let value): result = value
            case .failure(let error): throw .failed(path: path, error)
            }
            // A regular file never says would-block; treat it like the end rather than spin.
            guard case .processed(let count) = result, count > 0 else { return bytes }
            guard bytes.count + count <= maxBytes else { throw .tooLarge(path: path, limit: maxBytes) }
            bytes += chunk[..<count]
        }
    }
}

/// Why a file could not be read.
public enum FileReadError: Error, Equatable, CustomStringConvertible {
    case failed(path: String, SystemError)
    case tooLarge(path: String, limit: Int)

    public var description: String {
        switch self {
        case .failed(let path, let error): "The file \(path) cannot be read: \(error)."
        case .tooLarge(let path, let limit): "The file \(path) is larger than the \(limit) bytes expected."
        }
    }
}
