import EventLoop

/// Decodes the SUBSCRIBE response body (already de-chunked) into events: RecordIO framing, then JSON, then
/// `ExecutorEvent`.
///
/// Incremental: feed whatever bytes arrived; nil means "need more bytes". Records are framed over the byte stream,
/// never per HTTP chunk. Memory is bounded by `maxEventBytes`: a record announcing more is rejected as soon as its
/// length is read, before anything is allocated for it. Any error means the stream cannot be trusted any more; the
/// connection treats it as a disconnect.
struct ExecutorEventStreamDecoder {
    /// Larger than any real event (a LAUNCH with a big TaskInfo is tens of kilobytes) yet small enough that a broken
    /// agent cannot make every executor on a host hold much memory.
    static let defaultMaxEventBytes = 4 << 20

    private var records: RecordIODecoder
    private let jsonLimits: JSONLimits
    /// Events decoded so far, for error context.
    private(set) var eventCount = 0

    init(maxEventBytes: Int = defaultMaxEventBytes, jsonLimits: JSONLimits = .default) {
        records = RecordIODecoder(maxRecordSize: maxEventBytes)
        self.jsonLimits = jsonLimits
    }

    mutating func decode(_ buffer: inout ByteBuffer) throws(ExecutorEventStreamError) -> ExecutorEvent? {
        let record: [UInt8]
        do {
            guard let next = try records.decode(&buffer) else { return nil }
            record = next
        } catch {
            throw .framing(index: eventCount, error)
        }
        let json: JSONValue
        do {
            json = try JSON.parse(record, limits: jsonLimits)
        } catch {
            throw .json(index: eventCount, error)
        }
        do {
            let event = try ExecutorEvent.decode(json)
            eventCount += 1
            return event
        } catch {
            throw .event(index: eventCount, error)
        }
    }
}

/// Why the SUBSCRIBE stream could not be decoded; `index` is the zero-based position of the offending record.
enum ExecutorEventStreamError: Error, Equatable, CustomStringConvertible {
    case framing(index: Int, RecordIOError)
    case json(index: Int, JSONError)
    case event(index: Int, ExecutorEventError)

    var description: String {
        switch self {
        case .framing(let index, let error):
            "Record \(index) of the agent's event stream is badly framed: \(error)"
        case .json(let index, let error):
            "Record \(index) of the agent's event stream is not valid JSON: \(error)"
        case .event(let index, let error):
            "Record \(index) of the agent's event stream is not a valid event: \(error)"
        }
    }
}
