/// SplitMix64: a tiny deterministic generator, so "random" test inputs and splits are the same on every run and
/// machine, and a failure reproduces.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A number in `0..<bound`.
    public mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}

/// Ways to cut `count` bytes into consecutive pieces: whole, one byte at a time, then `randomCount` seeded random
/// cuttings, each with its own largest piece so that both fine and coarse cuts occur. Every decoder is fed each.
public func splittings(of count: Int, seed: UInt64 = 0x5EED, randomCount: Int = 25) -> [[Int]] {
    guard count > 0 else { return [[]] }
    var result = [[count], [Int](repeating: 1, count: count)]
    var generator = SeededGenerator(seed: seed)
    for _ in 0..<randomCount {
        let largest = Int.random(in: 1...max(1, count / 2), using: &generator)
        var pieces: [Int] = []
        var left = count
        while left > 0 {
            let piece = Int.random(in: 1...min(left, largest), using: &generator)
            pieces.append(piece)
            left -= piece
        }
        result.append(pieces)
    }
    return result
}
