/// EXECUTOR_SIDECAR_URL taken apart: where to connect, what to ask for, and where the drain API lives.
///
/// Only `http` is supported (the executor has no TLS; Sidecar listens on plain HTTP on port 7777). The drain URL is
/// built from the scheme, host and port alone, like the original's: `http://host:port/api/services/<id>/drain`,
/// whatever path the state URL has (the default `/state.json` is the deprecated root alias; drain exists only
/// under `/api`).
struct SidecarURL: Sendable, Equatable, CustomStringConvertible {
    /// The host as written, without brackets for IPv6 literals.
    let host: String
    let port: UInt16
    /// Path and query of the state document, e.g. "/state.json".
    let stateTarget: String

    /// The `Host` header value: the authority as written, with the port only when the URL had one.
    let hostHeader: String

    /// Parses `text` (e.g. "http://localhost:7777/state.json").
    init(_ text: String) throws(SidecarURLError) {
        guard let schemeEnd = text.firstRange(of: "://") else { throw SidecarURLError(url: text, problem: .noScheme) }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" else { throw SidecarURLError(url: text, problem: .unsupportedScheme(scheme)) }
        let rest = text[schemeEnd.upperBound...]
        let pathStart = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<pathStart]
        guard !authority.contains("@") else { throw SidecarURLError(url: text, problem: .userInfo) }
        var target = String(rest[pathStart...])
        if let fragment = target.firstIndex(of: "#") { target = String(target[..<fragment]) }
        if target.isEmpty || target.first == "?" { target = "/" + target }
        guard target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw SidecarURLError(url: text, problem: .invalidPath)
        }

        let hostPart: Substring
        let portPart: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else {
                throw SidecarURLError(url: text, problem: .invalidHost)
            }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let afterClose = authority[authority.index(after: close)...]
            guard afterClose.isEmpty || afterClose.first == ":" else {
                throw SidecarURLError(url: text, problem: .invalidHost)
            }
            portPart = afterClose.isEmpty ? nil : afterClose.dropFirst()
        } else if let colon = authority.firstIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
            portPart = nil
        }
        // Letters, digits and the punctuation of names and IP literals (IPv6 zones use %); nothing that could
        // smuggle a second header or request into the Host line.
        let hostAllowed = hostPart.utf8.allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x3A)
                || $0 == 0x2E || $0 == 0x2D || $0 == 0x5F || $0 == 0x25
        }
        guard !hostPart.isEmpty, hostAllowed else { throw SidecarURLError(url: text, problem: .invalidHost) }
        var port: UInt16 = 80
        if let portPart, !portPart.isEmpty {
            guard portPart.allSatisfy(\.isASCII), let number = UInt16(portPart), number > 0 else {
                throw SidecarURLError(url: text, problem: .invalidPort(String(portPart)))
            }
            port = number
        }
        self.host = String(hostPart)
        self.port = port
        self.stateTarget = target
        self.hostHeader = String(authority)
    }

    /// The drain request's target for `serviceID` (the container id's first 12 characters).
    func drainTarget(serviceID: String) -> String {
        "/api/services/\(serviceID)/drain"
    }

    var description: String { "http://\(hostHeader)\(stateTarget)" }
}

/// Why EXECUTOR_SIDECAR_URL cannot be used.
struct SidecarURLError: Error, Equatable, CustomStringConvertible {
    enum Problem: Sendable, Equatable {
        case noScheme
        case unsupportedScheme(String)
        case userInfo
        case invalidHost
        case invalidPort(String)
        case invalidPath
    }

    let url: String
    let problem: Problem

    var description: String {
        let why =
            switch problem {
            case .noScheme: "it does not start with http://"
            case .unsupportedScheme(let scheme): "its scheme \"\(scheme)\" is not supported (only http is)"
            case .userInfo: "user information in the URL is not supported"
            case .invalidHost: "its host is missing or malformed"
            case .invalidPort(let port): "its port \"\(port)\" is not a number from 1 to 65535"
            case .invalidPath: "its path contains spaces, control or non-ASCII characters"
            }
        return "EXECUTOR_SIDECAR_URL \"\(url)\" cannot be used because \(why)."
    }
}
