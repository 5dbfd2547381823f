import EventLoop
import TestSupport
import Testing

/// The TLS client session (`TLSSession`, memory buffers, no socket) against a real OpenSSL server session over a
/// memory transport the test delivers by hand: every flight of the handshake and every record of data arrives
/// whole, byte by byte, or cut at seeded random places, and the same plaintext must come out each way. Garbage
/// where the ServerHello belongs fails the handshake with a sentence.
@Suite(.serialized) struct TLSSessionSplitTests {
    /// How the bytes of one flight are cut into deliveries.
    enum Cutting: CustomStringConvertible {
        case whole
        case byteByByte
        /// Pieces of 1...`largest` bytes, from a generator seeded with `seed`.
        case random(seed: UInt64, largest: Int)

        var description: String {
            switch self {
            case .whole: "whole"
            case .byteByByte: "byte by byte"
            case .random(let seed, let largest): "random (seed \(seed), pieces up to \(largest) bytes)"
            }
        }
    }

    static let cuttings: [Cutting] =
        [.whole, .byteByByte]
        + (0..<20).map { index in
            .random(seed: 0x715 + UInt64(index), largest: [2, 7, 64, 700, 5000][index % 5])
        }

    /// Cuts `bytes` as `cutting` says, drawing random sizes from `generator`.
    private static func pieces(_ bytes: [UInt8], _ cutting: Cutting, _ generator: inout SeededGenerator)
        -> [ArraySlice<UInt8>]
    {
        var result: [ArraySlice<UInt8>] = []
        var offset = 0
        while offset < bytes.count {
            let size: Int
            switch cutting {
            case .whole: size = bytes.count
            case .byteByByte: size = 1
            case .random(_, let largest): size = 1 + generator.below(largest)
            }
            let end = min(bytes.count, offset + size)
            result.append(bytes[offset..<end])
            offset = end
        }
        return result
    }

    private static func seed(of cutting: Cutting) -> UInt64 {
        if case .random(let seed, _) = cutting { return seed }
        return 1
    }

    /// A client session for 127.0.0.1 trusting the test CA.
    private func client() throws -> TLSSession {
        let context = try TLSContext.make(TLSSettings(caFile: TestCertificates.path("ca.pem")))
        return try context.makeSession(host: "127.0.0.1")
    }

    /// Plaintext long enough for several records (a record holds at most 16 KiB), with no repeating period that a
    /// misordered piece could hide in.
    private static func plaintext(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    /// Decrypts everything the client has received so far.
    private func drain(_ client: TLSSession, into received: inout [UInt8]) throws {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let result = buffer.withUnsafeMutableBytes { client.readPlaintext(into: $0) }
            switch result {
            case .bytes(let count): received += buffer[..<count]
            case .needsMoreData: return
            case .closed: throw TLSError(.protocolFailure, "closed")
            case .failed(let error): throw error
            }
        }
    }

    @Test(arguments: cuttings)
    func theHandshakeAndDataSurviveAnyCuttingOfTheRecords(_ cutting: Cutting) throws {
        let server = try MemoryTLSServer(
            certificate: TestCertificates.path("server.pem"), key: TestCertificates.path("server-key.pem"))
        let client = try client()
        var generator = SeededGenerator(seed: Self.seed(of: cutting))

        // The handshake: each flight delivered in pieces, each side advanced after every piece.
        #expect(client.handshake() == .needsMoreData)
        var clientDone = false
        var flights = 0
        while !(clientDone && server.handshakeDone) {
            flights += 1
            try #require(flights < 10, "the handshake does not converge (\(cutting))")
            for piece in Self.pieces(client.takeOutgoing(), cutting, &generator) {
                server.receive(piece)
                if !server.handshakeDone { try server.advanceHandshake() }
            }
            let fromServer = server.takeOutgoing()
            let pieces = Self.pieces(fromServer, cutting, &generator)
            for (index, piece) in pieces.enumerated() {
                piece.withUnsafeBytes { client.receive($0) }
                guard !clientDone else { continue }
                switch client.handshake() {
                case .complete:
                    // Only the last byte of the server's flight can complete it.
                    #expect(index == pieces.count - 1, "completed before the flight's end (\(cutting))")
                    clientDone = true
                case .needsMoreData:
                    break
                case .failed(let error):
                    Issue.record("handshake failed after piece \(index) of \(pieces.count) (\(cutting)): \(error)")
                    return
                }
            }
        }

        // Server to client: several records, cut as the handshake was.
        let down = Self.plaintext(40_000, seed: 7)
        try server.write(down)
        var received: [UInt8] = []
        for piece in Self.pieces(server.takeOutgoing(), cutting, &generator) {
            piece.withUnsafeBytes { client.receive($0) }
            try drain(client, into: &received)
        }
        #expect(received == down, "server to client (\(cutting)): \(received.count) of \(down.count) bytes")

        // Client to server.
        let up = Self.plaintext(20_000, seed: 8)
        try client.write(up)
        var arrived: [UInt8] = []
        for piece in Self.pieces(client.takeOutgoing(), cutting, &generator) {
            server.receive(piece)
            arrived += try server.readAvailable()
        }
        #expect(arrived == up, "client to server (\(cutting)): \(arrived.count) of \(up.count) bytes")

        // close_notify, cut too: the client sees the end of the session, not an error.
        server.shutdown()
        var end: TLSSession.ReadResult = .needsMoreData
        var buffer = [UInt8](repeating: 0, count: 64)
        for piece in Self.pieces(server.takeOutgoing(), cutting, &generator) {
            piece.withUnsafeBytes { client.receive($0) }
            end = buffer.withUnsafeMutableBytes { client.readPlaintext(into: $0) }
        }
        #expect(end == .closed, "(\(cutting))")
    }

    /// What a peer that is not a TLS server may answer a ClientHello with.
    static let garbage: [(name: String, bytes: [UInt8])] = [
        ("a plain HTTP server's answer", Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8)),
        ("an SSH banner", Array("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".utf8)),
        (
            "a handshake record longer than any record may be",
            [0x16, 0x03, 0x03, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 64)
        ),
        ("a handshake record holding no ServerHello", [0x16, 0x03, 0x03, 0x00, 0x04, 0x63, 0x00, 0x00, 0x00]),
        ("seeded random bytes", plaintext(4096, seed: 99)),
    ]

    @Test(arguments: [Cutting.whole, .byteByByte, .random(seed: 5, largest: 3)])
    func garbageInsteadOfAServerHelloFailsTheHandshakeWithASentence(_ cutting: Cutting) throws {
        for (name, bytes) in Self.garbage {
            let client = try client()
            #expect(client.handshake() == .needsMoreData)
            #expect(!client.takeOutgoing().isEmpty, "a ClientHello")
            var generator = SeededGenerator(seed: Self.seed(of: cutting))
            var failure: TLSError?
            for piece in Self.pieces(bytes, cutting, &generator) {
                piece.withUnsafeBytes { client.receive($0) }
                if case .failed(let error) = client.handshake() {
                    failure = error
                    break
                }
            }
            let error = try #require(failure, "\(name) (\(cutting)) did not fail the handshake")
            #expect(error.kind == .protocolFailure, "\(name): \(error)")
            #expect(error.message.contains("TLS handshake"), "\(name): \(error)")
            #expect(error.message.contains("127.0.0.1"), "\(name): \(error)")
            #expect(error.message.contains("is it a TLS server?"), "\(name): \(error)")
        }
    }
}
