/// Why a configured endpoint text could not be parsed, with the offending text.
public struct EndpointParseError: Error, Equatable, CustomStringConvertible {
    /// What is wrong with the text.
    public enum Reason: Sendable, Equatable {
        case empty
        case tooLong(limit: Int)
        case missingPort
        case invalidPort(String)
        case emptyHost
        case hostTooLong(limit: Int)
        case invalidCharacter
        case unterminatedBracket
        case invalidIPv6Address
        case unbracketedIPv6Address
        case unsupportedScheme(String)
        case unexpectedPath
        case relativeUnixPath
        case unixPathTooLong(limit: Int)
    }

    /// The text that was parsed (cut to 100 characters).
    public let input: String
    public let reason: Reason

    public init(input: String, reason: Reason) {
        self.input = String(input.prefix(100))
        self.reason = reason
    }

    public var description: String {
        "The endpoint '\(input)' is invalid: \(explanation)."
    }

    private var explanation: String {
        switch reason {
        case .empty: return "it is empty"
        case .tooLong(let limit): return "it is longer than \(limit) bytes"
        case .missingPort: return "it has no port; expected 'host:port'"
        case .invalidPort(let port): return "the port '\(port)' is not a number from 1 to 65535"
        case .emptyHost: return "the host is empty"
        case .hostTooLong(let limit): return "the host is longer than \(limit) bytes"
        case .invalidCharacter: return "it contains a character that is not allowed there"
        case .unterminatedBracket: return "an IPv6 address opened with '[' is never closed with ']'"
        case .invalidIPv6Address: return "the bracketed host is not an IPv6 address"
        case .unbracketedIPv6Address: return "an IPv6 address must be written in brackets, as in '[::1]:5051'"
        case .unsupportedScheme(let scheme): return "the scheme '\(scheme)' is not one of tcp, http or unix"
        case .unexpectedPath: return "it has a path after the host and port"
        case .relativeUnixPath: return "a Unix socket path must be absolute, as in 'unix:///var/run/docker.sock'"
        case .unixPathTooLong(let limit): return "the Unix socket path is longer than \(limit) bytes"
        }
    }
}
