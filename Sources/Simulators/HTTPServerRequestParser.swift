import EventLoop

/// Incremental HTTP/1.1 request decoder for the blocking test servers: feed it the bytes a connection
/// delivers, in any split, and it yields one complete request at a time, leaving the bytes of the next
/// (pipelined) request in the buffer.
///
/// It is deliberately at least as strict as Go's net/http, which serves the real Sidecar and Docker
/// Engine: a fake that accepted what the real peer rejects would hide client bugs. After it throws, the
/// connection is beyond repair and the parser throws the same error again.
public struct HTTPServerRequestParser: Sendable {
    /// Bounds on everything a client controls.
    public struct Limits: Sendable, Equatable {
        /// Longest request line, header line or chunk-size line, without its CRLF.
        public var maxLineLength: Int
        /// Most header plus trailer fields in one request.
        public var maxHeaderCount: Int
        /// Most bytes (lines with their CRLFs) in the header and trailer sections together.
        public var maxHeaderBytes: Int
        /// Largest body, whether sized by Content-Length or chunked.
        public var maxBodyBytes: Int

        public init(
            maxLineLength: Int = 8 * 1024, maxHeaderCount: Int = 100, maxHeaderBytes: Int = 64 * 1024,
            maxBodyBytes: Int = 16 * 1024 * 1024
        ) {
            self.maxLineLength = maxLineLength
            self.maxHeaderCount = maxHeaderCount
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
        }
    }

    private enum State: Sendable {
        case requestLine
        case headers
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers
    }

    private typealias ParseError = HTTPServerRequestParseError

    public let limits: Limits
    /// Bytes consumed from the connection so far; error offsets count from here.
    public private(set) var consumedBytes = 0
    private var state = State.requestLine
    // How many readable bytes were already searched for LF, so byte-by-byte feeding stays linear.
    private var scannedBytes = 0
    private var requestStart = 0
    private var request = HTTPServerRequest(method: "", target: "")
    private var headerCount = 0
    private var headerBytes = 0
    private var failure: HTTPServerRequestParseError?

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Consumes bytes of one request from `buffer`; returns it once complete, or nil for "need more bytes".
    public mutating func decode(_ buffer: inout ByteBuffer) throws(HTTPServerRequestParseError) -> HTTPServerRequest? {
        if let failure { throw failure }
        do {
            return try step(&buffer)
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func step(_ buffer: inout ByteBuffer) throws(ParseError) -> HTTPServerRequest? {
        while true {
            switch state {
            case .requestLine:
                guard let line = try nextLine(&buffer) else { return nil }
                try parseRequestLine(line.bytes, at: line.offset)
                state = .headers
            case .headers:
                guard let line = try nextLine(&buffer) else { return nil }
                if line.bytes.isEmpty {
                    if let request = try endOfHeaders() { return request }
                } else {
                    request.headers.append(try parseField(line.bytes, at: line.offset))
                }
            case .fixedBody(let remaining):
                let count = min(remaining, buffer.readableBytes)
                request.body.append(contentsOf: take(count, from: &buffer))
                guard remaining > count else { return completeRequest() }
                state = .fixedBody(remaining: remaining - count)
                return nil
            case .chunkSize:
                guard let line = try nextLine(&buffer) else { return nil }
                let size = try parseChunkSize(line.bytes, at: line.offset)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let count = min(remaining, buffer.readableBytes)
                guard count > 0 else { return nil }
                request.body.append(contentsOf: take(count, from: &buffer))
                state = remaining == count ? .chunkEnd : .chunkData(remaining: remaining - count)
            case .chunkEnd:
                guard buffer.readableBytes >= 2 else { return nil }
                guard buffer[0] == SimulatorASCII.carriageReturn, buffer[1] == SimulatorASCII.lineFeed else {
                    throw ParseError(.missingChunkTerminator, offset: consumedBytes)
                }
                _ = take(2, from: &buffer)
                state = .chunkSize
            case .trailers:
                guard let line = try nextLine(&buffer) else { return nil }
                if line.bytes.isEmpty { return completeRequest() }
                request.trailers.append(try parseField(line.bytes, at: line.offset))
            }
        }
    }

    private mutating func take(_ count: Int, from buffer: inout ByteBuffer) -> [UInt8] {
        consumedBytes += count
        scannedBytes = 0
        return buffer.readBytes(count) ?? []
    }

    /// The next CRLF-terminated line without its CRLF, with the offset where it starts, or nil if the
    /// line is not complete yet.
    private mutating func nextLine(_ buffer: inout ByteBuffer) throws(ParseError) -> (bytes: [UInt8], offset: Int)? {
        let offset = consumedBytes
        // A line may be maxLineLength bytes plus its CR; the same bound applies whether or not its LF has
        // arrived, so a split input fails exactly like a whole one.
        let longestAllowed = limits.maxLineLength + 1
        guard let lineFeed = buffer.firstOffset(of: SimulatorASCII.lineFeed, from: scannedBytes) else {
            scannedBytes = buffer.readableBytes
            if buffer.readableBytes > longestAllowed {
                throw ParseError(.lineTooLong(limit: limits.maxLineLength), offset: offset)
            }
            return nil
        }
        if lineFeed > longestAllowed { throw ParseError(.lineTooLong(limit: limits.maxLineLength), offset: offset) }
        guard lineFeed > 0, buffer[lineFeed - 1] == SimulatorASCII.carriageReturn else {
            throw ParseError(.bareLineFeed, offset: offset)
        }
        let line = take(lineFeed + 1, from: &buffer)
        return (Array(line.dropLast(2)), offset)
    }

    private mutating func parseRequestLine(_ line: [UInt8], at offset: Int) throws(ParseError) {
        requestStart = offset
        guard let firstSpace = line.firstIndex(of: SimulatorASCII.space),
            let lastSpace = line.lastIndex(of: SimulatorASCII.space),
            firstSpace > 0, lastSpace > firstSpace + 1
        else { throw ParseError(.malformedRequestLine, offset: offset) }
        let method = line[..<firstSpace]
        let target = line[(firstSpace + 1)..<lastSpace]
        let version = line[(lastSpace + 1)...]
        guard !target.contains(SimulatorASCII.space) else { throw ParseError(.malformedRequestLine, offset: offset) }
        let versionText = String(decoding: version, as: UTF8.self)
        guard Self.isWellFormedVersion(version) else { throw ParseError(.malformedRequestLine, offset: offset) }
        guard method.allSatisfy(SimulatorASCII.isTokenByte) else { throw ParseError(.invalidMethod, offset: offset) }
        let targetText = String(decoding: target, as: UTF8.self)
        guard target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), Self.isAcceptedTargetForm(targetText) else {
            throw ParseError(.invalidTarget, offset: offset)
        }
        guard versionText == "HTTP/1.1" || versionText == "HTTP/1.0" else {
            throw ParseError(.unsupportedVersion(versionText), offset: offset)
        }
        request.method = String(decoding: method, as: UTF8.self)
        request.target = targetText
        request.version = versionText
    }

    private static func isWellFormedVersion(_ version: ArraySlice<UInt8>) -> Bool {
        let bytes = Array(version)
        return bytes.count == 8 && bytes[0..<5].elementsEqual("HTTP/".utf8) && SimulatorASCII.isDigit(bytes[5])
            && bytes[6] == UInt8(ascii: ".") && SimulatorASCII.isDigit(bytes[7])
    }

    private static func isAcceptedTargetForm(_ target: String) -> Bool {
        if target.hasPrefix("/") || target == "*" { return true }
        guard let schemeEnd = target.firstRange(of: "://") else { return false }
        let scheme = target[..<schemeEnd.lowerBound]
        return !scheme.isEmpty && scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0 == "+" || $0 == "-") }
    }

    private mutating func parseField(_ line: [UInt8], at offset: Int) throws(ParseError) -> HTTPServerRequest.Field {
        headerCount += 1
        headerBytes += line.count + 2
        guard headerCount <= limits.maxHeaderCount else {
            throw ParseError(.tooManyHeaders(limit: limits.maxHeaderCount), offset: offset)
        }
        guard headerBytes <= limits.maxHeaderBytes else {
            throw ParseError(.headersTooLarge(limit: limits.maxHeaderBytes), offset: offset)
        }
        if line[0] == SimulatorASCII.space || line[0] == SimulatorASCII.tab {
            throw ParseError(.obsoleteLineFolding, offset: offset)
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
            line[..<colon].allSatisfy(SimulatorASCII.isTokenByte)
        else { throw ParseError(.malformedHeader, offset: offset) }
        let name = String(decoding: line[..<colon], as: UTF8.self)
        let value = line[(colon + 1)...]
        guard value.allSatisfy(SimulatorASCII.isFieldValueByte) else {
            throw ParseError(.invalidHeaderValue(name: name), offset: offset)
        }
        let text = Substring(String(decoding: value, as: UTF8.self)).trimmingSpacesAndTabs()
        return HTTPServerRequest.Field(name: name, value: String(text))
    }

    /// Decides the body framing once the header section is complete; returns the request if it has no body.
    private mutating func endOfHeaders() throws(ParseError) -> HTTPServerRequest? {
        let hosts = request.headers(named: "Host")
        if request.version == "HTTP/1.1" && hosts.isEmpty { throw ParseError(.missingHost, offset: requestStart) }
        if hosts.count > 1 { throw ParseError(.duplicateHost, offset: requestStart) }
        if let host = hosts.first, !host.utf8.allSatisfy(SimulatorASCII.isHostByte) {
            throw ParseError(.invalidHost(host), offset: requestStart)
        }
        let encodings = request.headers(named: "Transfer-Encoding")
        let lengths = request.headers(named: "Content-Length")
        if !encodings.isEmpty {
            guard lengths.isEmpty else { throw ParseError(.contentLengthWithTransferEncoding, offset: requestStart) }
            let codings = encodings.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
                .map { $0.trimmingSpacesAndTabs().lowercased() }
            guard codings == ["chunked"] else {
                throw ParseError(.unsupportedTransferEncoding(encodings.joined(separator: ", ")), offset: requestStart)
            }
            request.bodyWasChunked = true
            state = .chunkSize
            return nil
        }
        guard let first = lengths.first else { return completeRequest() }
        guard let length = Self.decimal(first), lengths.allSatisfy({ $0 == first }) else {
            let shown = lengths.count == 1 ? first : lengths.joined(separator: "', '")
            throw ParseError(.invalidContentLength(shown), offset: requestStart)
        }
        guard length <= limits.maxBodyBytes else {
            throw ParseError(.bodyTooLarge(limit: limits.maxBodyBytes), offset: consumedBytes)
        }
        guard length > 0 else { return completeRequest() }
        state = .fixedBody(remaining: length)
        return nil
    }

    private static func decimal(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 18, bytes.allSatisfy(SimulatorASCII.isDigit) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    private mutating func parseChunkSize(_ line: [UInt8], at offset: Int) throws(ParseError) -> Int {
        let digits = line.prefix { $0 != UInt8(ascii: ";") }
        let extensionBytes = line[digits.endIndex...]
        guard !digits.isEmpty, extensionBytes.allSatisfy(SimulatorASCII.isFieldValueByte)
        else {
            throw ParseError(.malformedChunkSize, offset: offset)
        }
        var size = 0
        for digit in digits {
            guard let value = SimulatorASCII.hexValue(digit) else {
                throw ParseError(.malformedChunkSize, offset: offset)
            }
            size = size * 16 + value
            // Checked per digit so that a run of hex digits cannot overflow before the limit applies.
            if request.body.count + size > limits.maxBodyBytes {
                throw ParseError(.bodyTooLarge(limit: limits.maxBodyBytes), offset: offset)
            }
        }
        return size
    }

    private mutating func completeRequest() -> HTTPServerRequest {
        let complete = request
        request = HTTPServerRequest(method: "", target: "")
        state = .requestLine
        headerCount = 0
        headerBytes = 0
        requestStart = consumedBytes
        return complete
    }
}
