/// Which of Sidecar's routes a request reaches, decided the way Sidecar's gorilla/mux routers decide:
/// a path that matches a route with another method gives 405, a path that matches nothing gives 404.
///
/// Routes that exist in Sidecar but are not simulated (`/watch`, `/services.json`, the UI…) come out as
/// `notSimulated`, so a test that wanders there fails loudly instead of getting a plausible 404.
enum SidecarRoute: Equatable {
    /// `GET /state.{extension}` or `GET /api/state.{extension}`.
    case state(extension: String)
    /// `GET /api/services/{name}.{extension}`, the name percent-decoded (gorilla/mux matches the decoded path).
    case service(name: String, extension: String)
    /// `POST /api/services/{id}/drain`.
    case drain(id: String)
    /// `OPTIONS /api/{path}`: CORS headers only.
    case corsOptions
    case methodNotAllowed
    case notFound
    case notSimulated

    private struct Candidate {
        let method: String
        let route: SidecarRoute?
    }

    init(method: String, path: String) {
        // The outer router: /api/… goes to the API router whatever the method (a PathPrefix route).
        for prefix in ["/static", "/ui", "/v1"] where path.hasPrefix(prefix) {
            self = .notSimulated
            return
        }
        if path.hasPrefix("/api") {
            self = Self.resolve(method: method, candidates: Self.apiCandidates(String(path.dropFirst(4))))
            return
        }
        var candidates: [Candidate] = []
        if path == "/" || path == "/servers" || path == "/watch" {
            candidates.append(Candidate(method: "GET", route: nil))
        }
        if let fileExtension = Self.suffix(of: path, after: "/state.") {
            candidates.append(Candidate(method: "GET", route: .state(extension: fileExtension)))
        }
        self = Self.resolve(method: method, candidates: candidates)
    }

    /// The API router's routes (`/api` already stripped), in Sidecar's registration order.
    private static func apiCandidates(_ path: String) -> [Candidate] {
        var candidates: [Candidate] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        if segments.count == 3, segments[0].isEmpty, segments[1] == "services", isNameDotExtension(segments[2]) {
            candidates.append(Candidate(method: "GET", route: serviceRoute(segments[2])))
        }
        if segments.count == 4, segments[0].isEmpty, segments[1] == "services", !segments[2].isEmpty,
            segments[3] == "drain"
        {
            candidates.append(Candidate(method: "POST", route: .drain(id: String(segments[2]))))
        }
        if suffix(of: path, after: "/services.") != nil {
            candidates.append(Candidate(method: "GET", route: nil))
        }
        if let fileExtension = suffix(of: path, after: "/state.") {
            candidates.append(Candidate(method: "GET", route: .state(extension: fileExtension)))
        }
        if path == "/watch" {
            candidates.append(Candidate(method: "GET", route: nil))
        }
        if segments.count == 2, segments[0].isEmpty, !segments[1].isEmpty {
            candidates.append(Candidate(method: "OPTIONS", route: .corsOptions))
        }
        return candidates
    }

    private static func resolve(method: String, candidates: [Candidate]) -> SidecarRoute {
        guard !candidates.isEmpty else { return .notFound }
        guard let match = candidates.first(where: { $0.method == method }) else { return .methodNotAllowed }
        return match.route ?? .notSimulated
    }

    /// The `{var}` in a `/prefix{var}` pattern: non-empty and without a slash (gorilla's `[^/]+`).
    private static func suffix(of path: String, after prefix: String) -> String? {
        guard path.hasPrefix(prefix) else { return nil }
        let rest = path.dropFirst(prefix.count)
        return rest.isEmpty || rest.contains("/") ? nil : String(rest)
    }

    /// `{name}.{extension}` split at the last dot (the name's `[^/]+` is greedy), the name percent-decoded; a name
    /// that decodes to something with a `/`, or does not decode, matches no route.
    private static func serviceRoute(_ segment: Substring) -> SidecarRoute {
        let dot = segment.lastIndex(of: ".")!
        // A broken escape gets 400 from Go's server before any routing; the simulator says 404.
        guard let name = percentDecoded(segment[..<dot]), !name.isEmpty, !name.contains("/") else { return .notFound }
        return .service(name: name, extension: String(segment[segment.index(after: dot)...]))
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `{name}.{extension}`: a dot with at least one character on each side.
    private static func isNameDotExtension(_ segment: Substring) -> Bool {
        segment.indices.contains {
            segment[$0] == "." && $0 != segment.startIndex && segment.index(after: $0) != segment.endIndex
        }
    }
}
