import EventLoop
import TestSupport
import Testing

// Shared by the HTTP, chunked and RecordIO decoder tests: every decoder must give the same result fed
// whole, one byte at a time, and cut at seeded random places.

/// The shape the test helpers drive: the `decode` (and optionally `decodeAtEOF`) of the decoders under test.
protocol IncrementalDecoder {
    associatedtype Output: Equatable
    associatedtype Failure: Error & Equatable

    mutating func decode(_ buffer: inout ByteBuffer) throws(Failure) -> Output?
    /// What the decoder does once the stream has ended; `decode` unless the decoder knows better.
    mutating func decodeAtEOF(_ buffer: inout ByteBuffer) throws(Failure) -> Output?
}

extension IncrementalDecoder {
    mutating func decodeAtEOF(_ buffer: inout ByteBuffer) throws(Failure) -> Output? {
        try decode(&buffer)
    }
}

extension HTTPResponseDecoder: IncrementalDecoder {}
extension ChunkedDecoder: IncrementalDecoder {}
extension RecordIODecoder: IncrementalDecoder {}

/// What a decoder made of an input: its outputs in order, the error that stopped it, and (when it did not
/// fail) the bytes it left unconsumed.
struct DecodeRun<Output: Equatable, Failure: Error & Equatable>: Equatable {
    var outputs: [Output] = []
    var error: Failure?
    var leftover: [UInt8] = []
}

extension IncrementalDecoder {
    /// Feeds `input` in `pieces`, calling `decode` after each piece until it returns nil, then, when
    /// `endWithEOF`, `decodeAtEOF` until it returns nil.
    func run(on input: [UInt8], pieces: [Int], endWithEOF: Bool) -> DecodeRun<Output, Failure> {
        var decoder = self
        var buffer = ByteBuffer()
        var run = DecodeRun<Output, Failure>()
        var fed = 0
        // A decoder that returns parts without consuming would loop forever; no input needs this many.
        let maximumOutputs = 2 * input.count + 16
        func drain(_ step: (inout Self, inout ByteBuffer) throws(Failure) -> Output?) throws(Failure) {
            while let output = try step(&decoder, &buffer) {
                run.outputs.append(output)
                guard run.outputs.count <= maximumOutputs else {
                    Issue.record("the decoder produced more than \(maximumOutputs) outputs for \(input.count) bytes")
                    return
                }
            }
        }
        do throws(Failure) {
            for piece in pieces {
                buffer.append(contentsOf: input[fed..<fed + piece])
                fed += piece
                try drain { (decoder, buffer) throws(Failure) in try decoder.decode(&buffer) }
            }
            if endWithEOF {
                try drain { (decoder, buffer) throws(Failure) in try decoder.decodeAtEOF(&buffer) }
            }
            run.leftover = buffer.readableArray
        } catch {
            run.error = error
        }
        return run
    }
}

/// Runs `decoder` over `input` whole, byte by byte and in seeded random splits; expects every run to
/// match the whole run once `normalize` has merged piece boundaries (which legitimately follow the
/// splits), and returns the normalized whole run for the test's own expectations.
func decodeEveryWay<Decoder: IncrementalDecoder>(
    _ decoder: Decoder,
    _ input: [UInt8],
    endWithEOF: Bool = false,
    normalize: ([Decoder.Output]) -> [Decoder.Output] = { $0 },
    sourceLocation: SourceLocation = #_sourceLocation
) -> DecodeRun<Decoder.Output, Decoder.Failure> {
    var reference: DecodeRun<Decoder.Output, Decoder.Failure>?
    for pieces in splittings(of: input.count) {
        var run = decoder.run(on: input, pieces: pieces, endWithEOF: endWithEOF)
        run.outputs = normalize(run.outputs)
        if let reference {
            #expect(run == reference, "split into \(pieces.count) pieces", sourceLocation: sourceLocation)
        } else {
            reference = run
        }
    }
    return reference!
}

/// `outputs` with adjacent byte pieces merged into one, since pieces follow the network's cuts: `piece`
/// gives an output's bytes (nil for outputs that are not pieces), `make` rebuilds a piece.
func mergingPieces<Output>(
    _ outputs: [Output],
    piece: (Output) -> [UInt8]?,
    make: ([UInt8]) -> Output
) -> [Output] {
    var merged: [Output] = []
    for output in outputs {
        if let bytes = piece(output), let last = merged.last, let previous = piece(last) {
            merged[merged.count - 1] = make(previous + bytes)
        } else {
            merged.append(output)
        }
    }
    return merged
}

/// Adjacent `.body` parts merged into one.
func mergingBodies(_ parts: [HTTPResponsePart]) -> [HTTPResponsePart] {
    mergingPieces(parts, piece: { if case .body(let bytes) = $0 { bytes } else { nil } }, make: HTTPResponsePart.body)
}

/// Bytes of an ASCII/UTF-8 literal, for readable test inputs.
func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}
