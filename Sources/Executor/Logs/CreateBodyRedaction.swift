import EventLoop

/// The container create body as the debug log shows it: every value that may carry a secret is hidden, wherever
/// it sits. A secret reaches the body through the task's environment (`Env`), its command (`Cmd`, `Entrypoint`:
/// `--password=x`, `--token x`, `DB_PASSWORD=x sh -c ...`, `https://user:pass@host`), its labels and log options
/// (`Labels`, `HostConfig.LogConfig.Config`: `splunk-token`), or any other string a job definition fills in, so the
/// whole document is walked rather than a list of fields:
/// - an object member whose name looks secret (`Redaction.isSecretName`) has its value hidden, whatever it is;
/// - in every string, each word `NAME=value` or `--name=value` with a secret-looking name has its value hidden, a
///   word following a secret-looking flag (`--password`, `-token`) is hidden, and a URL's password is hidden;
/// - in an array of strings (an argument vector), an element following a secret-looking flag is hidden.
extension Redaction {
    static func createBody(_ body: JSONValue) -> JSONValue {
        value(body)
    }

    private static func value(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var result = JSONObject()
            for (key, member) in object {
                result.setValue(isSecretName(key) && !member.isNull ? .string(marker) : self.value(member), forKey: key)
            }
            return .object(result)
        case .array(let items):
            var result: [JSONValue] = []
            var hideNext = false
            for item in items {
                if hideNext, item.stringValue != nil {
                    result.append(.string(marker))
                } else {
                    result.append(self.value(item))
                }
                hideNext = item.stringValue.map(isSecretFlag) ?? false
            }
            return .array(result)
        case .string(let text):
            return .string(self.text(text))
        default:
            return value
        }
    }

    /// `text` with the secrets of its words hidden (separators kept as they were).
    static func text(_ text: String) -> String {
        // A whole `NAME=value` (an `Env` entry, an argument) hides all of its value, spaces included. The name may
        // hold spaces too: Mesos and Docker pass an environment name as it is, and `MY KEY X=value` split into
        // words would leave its value beside the harmless word `X`. Hiding too much of a command is the safe side.
        if let equals = text.firstIndex(of: "=") {
            let hidden = word(String(text[...equals]) + "x")
            if hidden.hasSuffix(marker) { return hidden }
        }
        var output = ""
        var word = ""
        var hideNext = false
        func flush() {
            guard !word.isEmpty else { return }
            if hideNext {
                output += marker
                hideNext = false
            } else {
                hideNext = isSecretFlag(word)
                output += self.word(word)
            }
            word = ""
        }
        for character in text {
            if character == " " || character == "\t" || character == "\n" || character == ";" {
                flush()
                output.append(character)
            } else {
                word.append(character)
            }
        }
        flush()
        return output
    }

    /// One word: `NAME=value` (quotes and leading dashes allowed) and URL credentials.
    private static func word(_ word: String) -> String {
        if let equals = word.firstIndex(of: "=") {
            let name = word[..<equals].drop { $0 == "-" || $0 == "\"" || $0 == "'" }
            if !name.isEmpty, isSecretName(String(name)) { return "\(word[...equals])\(marker)" }
        }
        return urlPasswordHidden(word)
    }

    /// `scheme://user:password@host` with the password hidden.
    ///
    /// The searches here take a Character or go through `ASCII.firstRange`: the standard library's substring
    /// search (`firstRange(of:)`, `contains(_: String)`) lives in _StringProcessing, and one use links that whole
    /// module into the executor, whose conformance records every executor then reads at start-up (BENCHMARKS.md).
    private static func urlPasswordHidden(_ word: String) -> String {
        guard let scheme = ASCII.firstRange(of: "://", in: word[...]) else { return word }
        let rest = word[scheme.upperBound...]
        guard let at = rest.firstIndex(of: "@"), !rest[..<at].contains("/" as Character),
            let colon = rest[..<at].firstIndex(of: ":")
        else { return word }
        return String(word[..<rest.index(after: colon)]) + marker + String(rest[at...])
    }

    /// A command-line flag naming a secret (`--password`, `-token`, `--api-key`), whose value is the next word.
    static func isSecretFlag(_ word: String) -> Bool {
        guard word.hasPrefix("-"), !word.contains("=" as Character) else { return false }
        return isSecretName(String(word.drop { $0 == "-" }))
    }
}
