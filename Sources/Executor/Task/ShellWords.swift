/// Splits a command line into argv words the way a POSIX shell does, without running a shell.
///
/// The original executor split the `executor.ShellCommand` label on single spaces, so `sh -c 'echo hi'` became
/// `["sh", "-c", "'echo", "hi'"]`. This follows the shell's quoting rules instead:
/// - blanks (space, tab, newline) separate words; adjacent quoted and unquoted parts join into one word;
/// - a backslash outside quotes takes the next character literally (backslash-newline is a line continuation);
/// - single quotes keep everything literally up to the next single quote;
/// - inside double quotes a backslash only escapes `$`, `` ` ``, `"`, `\` and newline, and is kept otherwise;
/// - `''` and `""` give an empty word.
///
/// Nothing is expanded: `$HOME`, `*` and `;` stay literal characters. Use `sh -c '...'` when a shell is wanted.
enum ShellWords {
    /// The longest command line accepted; the label comes from a framework, so it is bounded like all peer input.
    static let maxBytes = 64 * 1024

    /// The words of `line`, or an error naming what is malformed and where (a UTF-8 byte offset).
    static func split(_ line: String) throws(ShellWordsError) -> [String] {
        let bytes = Array(line.utf8)
        guard bytes.count <= maxBytes else { throw .tooLong(bytes: bytes.count, limit: maxBytes) }
        var words: [String] = []
        var word: [UInt8] = []
        // A word exists once any part of it was seen, even an empty quoted one.
        var inWord = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"):
                if inWord {
                    words.append(String(decoding: word, as: UTF8.self))
                    word.removeAll(keepingCapacity: true)
                    inWord = false
                }
                index += 1
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { throw .danglingBackslash(offset: index) }
                if bytes[index + 1] != UInt8(ascii: "\n") {
                    word.append(bytes[index + 1])
                    inWord = true
                }
                index += 2
            case UInt8(ascii: "'"):
                guard let close = bytes[(index + 1)...].firstIndex(of: UInt8(ascii: "'")) else {
                    throw .unterminatedSingleQuote(offset: index)
                }
                word.append(contentsOf: bytes[(index + 1)..<close])
                inWord = true
                index = close + 1
            case UInt8(ascii: "\""):
                index = try appendDoubleQuoted(bytes, openingAt: index, to: &word)
                inWord = true
            default:
                word.append(byte)
                inWord = true
                index += 1
            }
        }
        if inWord { words.append(String(decoding: word, as: UTF8.self)) }
        return words
    }

    /// Appends the body of the double-quoted string opening at `start`; returns the index after its closing quote.
    private static func appendDoubleQuoted(
        _ bytes: [UInt8],
        openingAt start: Int,
        to word: inout [UInt8]
    ) throws(ShellWordsError) -> Int {
        var index = start + 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return index + 1 }
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                let next = bytes[index + 1]
                switch next {
                case UInt8(ascii: "$"), UInt8(ascii: "`"), UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    word.append(next)
                case UInt8(ascii: "\n"):
                    break
                default:
                    word.append(byte)
                    word.append(next)
                }
                index += 2
                continue
            }
            word.append(byte)
            index += 1
        }
        throw .unterminatedDoubleQuote(offset: start)
    }
}

/// Why a command line could not be split into words.
enum ShellWordsError: Error, Equatable, CustomStringConvertible {
    /// A `'` at this byte offset has no closing `'`.
    case unterminatedSingleQuote(offset: Int)
    /// A `"` at this byte offset has no closing `"`.
    case unterminatedDoubleQuote(offset: Int)
    /// The line ends with a `\` (at this byte offset) that escapes nothing.
    case danglingBackslash(offset: Int)
    /// The line is longer than the limit.
    case tooLong(bytes: Int, limit: Int)

    var description: String {
        switch self {
        case .unterminatedSingleQuote(let offset):
            "The command line has a single quote at byte \(offset) that is never closed."
        case .unterminatedDoubleQuote(let offset):
            "The command line has a double quote at byte \(offset) that is never closed."
        case .danglingBackslash(let offset):
            "The command line ends with a backslash at byte \(offset) that escapes nothing."
        case .tooLong(let bytes, let limit):
            "The command line is \(bytes) bytes long; at most \(limit) are accepted."
        }
    }
}
