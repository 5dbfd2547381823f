import EventLoop

// The JSON parser (every event from the agent, every Docker and Sidecar answer, the TaskInfo) and the stream
// splitter in front of it for Docker's pull progress. Invariants: no crash; a parsed value serializes to JSON that
// parses back to the same value and serializes to the same bytes; the stream decoder yields the same documents and
// error whatever the split; a parse keeping only a path succeeds or fails (with the same error) as a whole parse.

private let limits = JSONLimits(maxDepth: 32, maxStringBytes: 4096, maxDocumentBytes: 64 * 1024)

private struct StreamOutcome: Equatable {
    var documents: [JSONValue] = []
    var error: JSONError?
}

private func decodeStream(_ pieces: [ArraySlice<UInt8>]) -> StreamOutcome {
    var decoder = JSONStreamDecoder(limits: limits, maxDocumentBytes: 64 * 1024)
    var buffer = ByteBuffer()
    var outcome = StreamOutcome()
    do throws(JSONError) {
        for piece in pieces {
            buffer.append(contentsOf: piece)
            while let document = try decoder.decode(&buffer) { outcome.documents.append(document) }
        }
    } catch {
        outcome.error = error
    }
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzInput(data, count)
    if let value = try? JSON.parse(input, limits: limits) {
        let serialized = value.serialized()
        let reparsed: JSONValue
        do {
            reparsed = try JSON.parse(serialized, limits: JSONLimits(maxDepth: limits.maxDepth))
        } catch {
            fatalError("the serialization of a parsed value does not parse: \(error)")
        }
        fuzzCheck(reparsed == value, "round trip changed \(value) into \(reparsed)")
        fuzzCheck(reparsed.serialized() == serialized, "serializing is not stable")
    }
    FuzzSplits.decodeAgreeing(input) { decodeStream($0) }
    // Keeping only a path (as the Sidecar lookup does) validates exactly as much as a whole parse.
    let whole = Result { () throws(JSONError) in try JSON.parse(input, limits: limits) }
    let kept = Result { () throws(JSONError) in
        try JSON.parse(input, keeping: JSONKeep(path: ["a", nil, "b"], topLevelMembers: ["c"]), limits: limits)
    }
    switch (whole, kept) {
    case (.success, .success): break
    case (.failure(let wholeError), .failure(let keptError)):
        fuzzCheck(
            wholeError == keptError, "keeping a path failed with \(keptError), the whole parse with \(wholeError)")
    default: fuzzCheck(false, "keeping a path gave \(kept), the whole parse \(whole)")
    }
    return 0
}
