import Testing

@testable import Executor

struct ShellWordsTests {
    @Test(arguments: [
        ("echo hi", ["echo", "hi"]),
        ("  echo   hi  ", ["echo", "hi"]),
        ("echo\thi\nthere", ["echo", "hi", "there"]),
        ("sh -c 'echo hi; exit 3'", ["sh", "-c", "echo hi; exit 3"]),
        ("sh -c \"echo \\\"quoted\\\" \\$HOME\"", ["sh", "-c", "echo \"quoted\" $HOME"]),
        ("printf \"a\\nb\"", ["printf", "a\\nb"]),
        ("a'b'\"c\"d", ["abcd"]),
        ("echo '' \"\"", ["echo", "", ""]),
        ("echo a\\ b", ["echo", "a b"]),
        ("echo \\'x", ["echo", "'x"]),
        ("echo a\\\nb", ["echo", "ab"]),
        ("echo 'it''s'", ["echo", "its"]),
        ("echo 'a \\ b'", ["echo", "a \\ b"]),
        ("echo $HOME * ; ls", ["echo", "$HOME", "*", ";", "ls"]),
        ("echo \"line\\\ncontinued\"", ["echo", "linecontinued"]),
        ("echo h\u{e9}llo '\u{65e5}\u{672c}'", ["echo", "h\u{e9}llo", "\u{65e5}\u{672c}"]),
        ("", []),
        ("   ", []),
    ])
    func splitsLikeAShell(line: String, expected: [String]) throws {
        #expect(try ShellWords.split(line) == expected)
    }

    @Test func anUnterminatedSingleQuoteNamesItsOffset() {
        #expect(throws: ShellWordsError.unterminatedSingleQuote(offset: 6)) { try ShellWords.split("sh -c 'echo hi") }
    }

    @Test func anUnterminatedDoubleQuoteNamesItsOffset() {
        #expect(throws: ShellWordsError.unterminatedDoubleQuote(offset: 5)) { try ShellWords.split("echo \"hi \\\"") }
    }

    @Test func aTrailingBackslashIsAnError() {
        #expect(throws: ShellWordsError.danglingBackslash(offset: 7)) { try ShellWords.split("echo hi\\") }
    }

    @Test func anOverlongLineIsRejected() {
        let line = String(repeating: "a", count: ShellWords.maxBytes + 1)
        #expect(throws: ShellWordsError.tooLong(bytes: ShellWords.maxBytes + 1, limit: ShellWords.maxBytes)) {
            try ShellWords.split(line)
        }
    }

    @Test func errorDescriptionsAreSentencesWithTheOffset() {
        let text = ShellWordsError.unterminatedSingleQuote(offset: 8).description
        #expect(text == "The command line has a single quote at byte 8 that is never closed.")
    }
}
