import EventLoop

/// What every fuzz target shares: deterministic ways of cutting the input into pieces, and a check that stops the
/// run (libFuzzer then saves the input as a crash) when an invariant breaks.
///
/// The pieces come from the tests' SeededGenerator (SplitMix64, Sources/TestSupport, which scripts/fuzz.sh compiles
/// into every target) seeded by the input itself, so a saved crash input replays the exact same splits: a crash
/// never depends on anything but the file.
enum FuzzSplits {
    /// The three ways every decoder must be fed with identical results: whole, byte by byte, and in random pieces.
    static func all(_ bytes: [UInt8]) -> [[ArraySlice<UInt8>]] {
        [[bytes[...]], byteByByte(bytes), random(bytes)]
    }

    /// Decodes `bytes` fed whole, then in every other split, and stops the fuzzer unless all results are equal.
    /// Returns the whole-input result for the target's further checks.
    @discardableResult
    static func decodeAgreeing<Outcome: Equatable>(
        _ bytes: [UInt8], _ decode: ([ArraySlice<UInt8>]) -> Outcome
    ) -> Outcome {
        let splits = all(bytes)
        let whole = decode(splits[0])
        for pieces in splits.dropFirst() {
            let other = decode(pieces)
            fuzzCheck(other == whole, "fed in \(pieces.count) pieces: \(other) instead of \(whole)")
        }
        return whole
    }

    static func byteByByte(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.indices.map { bytes[$0..<$0 + 1] }
    }

    /// Pieces of 1 to 64 bytes, lengths drawn from a generator seeded by the input.
    static func random(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var generator = SeededGenerator(seed: seed(of: bytes))
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        while start < bytes.count {
            let length = Int(generator.next() % 64) + 1
            let end = min(bytes.count, start + length)
            pieces.append(bytes[start..<end])
            start = end
        }
        return pieces
    }

    /// FNV-1a of the input: different inputs get different splits, the same input always the same.
    static func seed(of bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }
}

/// Stops the process when an invariant does not hold: libFuzzer reports a deadly signal and keeps the input.
func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        fatalError("fuzz invariant violated: \(message())")
    }
}

/// The input as an array (libFuzzer hands out a pointer that is only valid during the call).
func fuzzInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    guard let data, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: count))
}
