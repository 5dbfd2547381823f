import EventLoop

// The RecordIO decoder (the agent's event stream, after de-chunking). Invariants: no crash; the same records and
// error whatever the split; no record is longer than the limit; records never hold more bytes than the input.

/// Small, so that the fuzzer reaches "too large" with short inputs.
private let maxRecordSize = 4096

private struct Outcome: Equatable {
    var records: [[UInt8]] = []
    var error: RecordIOError?
}

private func decode(_ pieces: [ArraySlice<UInt8>]) -> Outcome {
    var decoder = RecordIODecoder(maxRecordSize: maxRecordSize)
    var buffer = ByteBuffer()
    var outcome = Outcome()
    do throws(RecordIOError) {
        for piece in pieces {
            buffer.append(contentsOf: piece)
            while let record = try decoder.decode(&buffer) {
                fuzzCheck(record.count <= maxRecordSize, "a record of \(record.count) bytes passed the limit")
                outcome.records.append(record)
            }
        }
    } catch {
        outcome.error = error
    }
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecordIO(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzInput(data, count)
    let whole = FuzzSplits.decodeAgreeing(input) { decode($0) }
    // Every decoded byte came from the input, framing included.
    let framed = whole.records.reduce(0) { $0 + $1.count + 2 }
    fuzzCheck(framed <= input.count, "\(framed) bytes of records from \(input.count) bytes of input")
    return 0
}
