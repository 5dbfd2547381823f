/// RecordIO framing, as Mesos uses it for the event stream: each record is its length in decimal ASCII,
/// a line feed, then exactly that many bytes (`"12\n{\"type\":\"X\"}"`).
public enum RecordIO {
    /// One record framed on its own.
    public static func encode(_ record: some Collection<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        encode(record, into: &output)
        return output
    }

    /// Appends the framed `record` to `output`.
    public static func encode(_ record: some Collection<UInt8>, into output: inout [UInt8]) {
        output.reserveCapacity(output.count + 21 + record.count)
        output.append(contentsOf: String(record.count).utf8)
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: record)
    }
}
