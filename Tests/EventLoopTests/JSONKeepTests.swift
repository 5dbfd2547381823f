import EventLoop
import TestSupport
import Testing

/// `JSON.parse(_:keeping:)` against an independent reference: parse the whole document, then cut the tree down.
struct JSONKeepTests {
    /// The reference: what `keep` promises, applied to a whole tree.
    static func pruned(_ value: JSONValue, _ keep: JSONKeep) -> JSONValue {
        func prune(_ value: JSONValue, depth: Int) -> JSONValue {
            switch value {
            case .object(let object):
                var kept: [(String, JSONValue)] = []
                for (key, member) in object {
                    if depth == 0 && keep.topLevelMembers.contains(key) {
                        kept.append((key, member))
                    } else if depth < keep.path.count, keep.path[depth] == nil || keep.path[depth] == key {
                        kept.append((key, depth == keep.path.count - 1 ? member : prune(member, depth: depth + 1)))
                    }
                }
                return .object(JSONObject(kept))
            case .array: return .array([])
            default: return value
            }
        }
        return prune(value, depth: 0)
    }

    static let keeps = [
        JSONKeep(path: ["Servers", "a", "Services", "b"], topLevelMembers: ["Hostname"]),
        JSONKeep(path: ["Servers", nil, "Services", "b"], topLevelMembers: ["Hostname"]),
        JSONKeep(path: ["a"]), JSONKeep(path: []), JSONKeep(path: [nil, nil], topLevelMembers: ["c"]),
    ]

    @Test func keepsThePathAndTheNamedTopLevelMembersAndDropsTheRest() throws {
        let text = #"""
            {"Servers":{"a":{"Name":"a","Services":{"b":{"Status":2,"Ports":[1,2]},"c":{"Status":0}}},
             "d":{"Services":{"b":{"Status":1}}}},"Hostname":"a","Other":[{"x":1}]}
            """#
        let kept = try JSON.parse(Array(text.utf8), keeping: Self.keeps[0])
        #expect(
            kept == [
                "Servers": ["a": ["Services": ["b": ["Status": 2, "Ports": [1, 2]]]]], "Hostname": "a",
            ])
        let anyHost = try JSON.parse(Array(text.utf8), keeping: Self.keeps[1])
        #expect(anyHost["Servers"]?["d"]?["Services"]?["b"] == ["Status": 1])
        #expect(anyHost["Servers"]?["a"]?["Name"] == nil)
    }

    @Test func anArrayOnThePathStaysAnEmptyArrayAndAScalarStaysAsItIs() throws {
        let keep = JSONKeep(path: ["Servers", "a"])
        #expect(try JSON.parse(Array(#"{"Servers":[{"a":1}]}"#.utf8), keeping: keep) == ["Servers": []])
        #expect(try JSON.parse(Array(#"{"Servers":7}"#.utf8), keeping: keep) == ["Servers": 7])
        #expect(try JSON.parse(Array(#"[1,{"Servers":1}]"#.utf8), keeping: keep) == [])
        #expect(try JSON.parse(Array(#""x""#.utf8), keeping: keep) == "x")
    }

    @Test func aRepeatedKeyOnThePathResolvesAsInTheWholeTree() throws {
        let text = #"{"Servers":{"a":{"v":1},"a":{"v":2}},"Servers":{"a":{"v":3,"w":4}}}"#
        for keep in [JSONKeep(path: ["Servers", "a", "v"]), JSONKeep(path: ["Servers", nil])] {
            let whole = try JSON.parse(Array(text.utf8))
            #expect(try JSON.parse(Array(text.utf8), keeping: keep) == Self.pruned(whole, keep))
        }
    }

    /// A random document whose keys come from a small set, so that paths often match, at random depths.
    static func randomValue(_ generator: inout SeededGenerator, depth: Int = 0) -> JSONValue {
        let keys = ["Servers", "Services", "Hostname", "a", "b", "c"]
        switch Int.random(in: 0..<(depth > 4 ? 4 : 7), using: &generator) {
        case 0: return .int(Int64.random(in: -5...5, using: &generator))
        case 1: return .string(["", "a", "hé", String(repeating: "x", count: 40)].randomElement(using: &generator)!)
        case 2: return [.null, .bool(true), .double(1.5)].randomElement(using: &generator)!
        case 3: return .string("b")
        case 4:
            return .array(
                (0..<Int.random(in: 0...3, using: &generator)).map { _ in randomValue(&generator, depth: depth + 1) })
        default:
            var members: [(String, JSONValue)] = []
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                members.append((keys.randomElement(using: &generator)!, randomValue(&generator, depth: depth + 1)))
            }
            return .object(JSONObject(members))
        }
    }

    @Test func randomDocumentsKeepWhatTheReferenceKeeps() throws {
        var generator = SeededGenerator(seed: 0x5EED_4B1D)
        for _ in 0..<2000 {
            let document = Self.randomValue(&generator)
            let bytes = document.serialized()
            for keep in Self.keeps {
                #expect(try JSON.parse(bytes, keeping: keep) == Self.pruned(document, keep), "\(document)")
            }
        }
    }

    @Test func damagedDocumentsFailWithTheSameErrorAsAWholeParse() {
        var generator = SeededGenerator(seed: 0xBAD_D0C)
        var failures = 0
        for _ in 0..<2000 {
            var bytes = Self.randomValue(&generator).serialized()
            let index = Int.random(in: 0...bytes.count, using: &generator)
            switch Int.random(in: 0..<3, using: &generator) {
            case 0 where index < bytes.count: bytes[index] = UInt8.random(in: 0...255, using: &generator)
            case 1: bytes.insert(Array(#"{}[],:"\ 0e-"#.utf8).randomElement(using: &generator)!, at: index)
            default: if index < bytes.count { bytes.remove(at: index) }
            }
            let whole = Result { () throws(JSONError) in try JSON.parse(bytes) }
            for keep in Self.keeps {
                let kept = Result { () throws(JSONError) in try JSON.parse(bytes, keeping: keep) }
                switch (whole, kept) {
                case (.failure(let wholeError), .failure(let keptError)):
                    #expect(keptError == wholeError)
                    failures += 1
                case (.success(let value), .success(let keptValue)):
                    #expect(keptValue == Self.pruned(value, keep))
                default:
                    Issue.record("whole \(whole), kept \(kept) for \(String(decoding: bytes, as: UTF8.self))")
                }
            }
        }
        #expect(failures > 1000, "the damage must make most documents invalid, or this test shows little")
    }
}
