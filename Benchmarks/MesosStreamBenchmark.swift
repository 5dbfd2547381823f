import EventLoop
import Foundation

/// Decode throughput of a recorded Mesos SUBSCRIBE response (HTTP head, chunked coding, RecordIO, JSON events),
/// fed in socket-sized reads, beside the same framing with Foundation's JSONSerialization for the events.
enum MesosStreamBenchmark {
    static func run() {
        let stream = recordedStream(events: 20_000)
        let reads = stride(from: 0, to: stream.count, by: 16 * 1024).map {
            Array(stream[$0..<min($0 + 16 * 1024, stream.count)])
        }
        var ourEvents = 0
        let ours = BenchmarkClock.best {
            ourEvents = decode(reads) { record in
                guard case .object = try? JSON.parse(record) else { fatalError("an event did not parse") }
            }
        }
        var foundationEvents = 0
        let foundation = BenchmarkClock.best {
            foundationEvents = decode(reads) { record in
                guard (try? JSONSerialization.jsonObject(with: Data(record))) is [String: Any] else {
                    fatalError("an event did not parse")
                }
            }
        }
        precondition(ourEvents == foundationEvents, "both decoders must see every event")
        let ourRate = BenchmarkClock.megabytesPerSecond(bytes: stream.count, seconds: ours)
        let foundationRate = BenchmarkClock.megabytesPerSecond(bytes: stream.count, seconds: foundation)
        print(
            "mesos event stream (\(ourEvents) events, \(stream.count / 1024) KiB, chunked + RecordIO + JSON): "
                + "ours \(BenchmarkClock.format(ourRate)) MB/s, with JSONSerialization "
                + "\(BenchmarkClock.format(foundationRate)) MB/s, ratio \(BenchmarkClock.format(ourRate / foundationRate, decimals: 2))x"
        )
    }

    /// Runs the framing decoders over the reads and hands each record to `parse`; returns the record count.
    private static func decode(_ reads: [[UInt8]], parse: ([UInt8]) -> Void) -> Int {
        var http = HTTPResponseDecoder()
        http.expectResponse(to: .post)
        var recordIO = RecordIODecoder()
        var wire = ByteBuffer()
        var body = ByteBuffer()
        var count = 0
        do {
            for read in reads {
                wire.append(contentsOf: read)
                while let part = try http.decode(&wire) {
                    guard case .body(let bytes) = part else { continue }
                    body.append(contentsOf: bytes)
                    while let record = try recordIO.decode(&body) {
                        parse(record)
                        count += 1
                    }
                }
            }
        } catch {
            fatalError("the recorded stream must decode: \(error)")
        }
        return count
    }

    /// A SUBSCRIBE response as the agent writes it: one chunk per RecordIO record, compact JSON in proto order.
    static func recordedStream(events: Int) -> [UInt8] {
        var out = Array(
            "HTTP/1.1 200 OK\r\nDate: Tue, 04 Jun 2024 10:00:00 GMT\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                .utf8
        )
        let subscribed =
            #"{"type":"SUBSCRIBED","subscribed":{"executor_info":{"type":"CUSTOM","executor_id":{"value":"web.1234"},"framework_id":{"value":"fw-0001"},"command":{"shell":true,"value":"/opt/mesos/executor.sh"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1},"allocation_info":{"role":"*"}},{"name":"mem","type":"SCALAR","scalar":{"value":32.0},"allocation_info":{"role":"*"}}],"name":"sidecar-executor"},"framework_info":{"user":"root","name":"marathon","id":{"value":"fw-0001"},"failover_timeout":604800.0,"checkpoint":true,"roles":["*"],"hostname":"sched1","capabilities":[{"type":"TASK_KILLING_STATE"},{"type":"PARTITION_AWARE"},{"type":"MULTI_ROLE"}]},"agent_info":{"hostname":"agent7.example","port":5051,"id":{"value":"ag-S3"}},"container_id":{"value":"2f9c1c1e-0a4d-4d1e-9a55-1b2c3d4e5f60"}}}"#
        let launch =
            #"{"type":"LAUNCH","launch":{"task":{"name":"web","task_id":{"value":"web.5d1c0f7e-1a2b-11ef-9c3a-0242ac110002"},"agent_id":{"value":"ag-S3"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.5},"allocation_info":{"role":"*"}},{"name":"mem","type":"SCALAR","scalar":{"value":256.0},"allocation_info":{"role":"*"}},{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31005,"end":31005}]},"allocation_info":{"role":"*"}}],"executor":{"type":"CUSTOM","executor_id":{"value":"web.1234"},"framework_id":{"value":"fw-0001"},"command":{"environment":{"variables":[{"name":"SERVICE_ENV","type":"VALUE","value":"prod"}]},"shell":true,"value":"/opt/mesos/executor.sh"},"name":"sidecar-executor"},"container":{"type":"DOCKER","docker":{"image":"nginx:1.25","network":"BRIDGE","port_mappings":[{"host_port":31005,"container_port":80,"protocol":"tcp"}],"privileged":false,"parameters":[{"key":"label","value":"ServiceName=web"},{"key":"env","value":"LOG_LEVEL=info \u00e9\"quoted\""}],"force_pull_image":false}},"kill_policy":{"grace_period":{"nanoseconds":15000000000}},"labels":{"labels":[{"key":"owner","value":"web-team"}]}}}}"#
        let acknowledged =
            #"{"type":"ACKNOWLEDGED","acknowledged":{"task_id":{"value":"web.5d1c0f7e-1a2b-11ef-9c3a-0242ac110002"},"uuid":"n2QH8k1YQq2cZ3V0d0x5Ag=="}}"#
        let heartbeat = #"{"type":"HEARTBEAT"}"#
        func appendEvent(_ json: String) {
            let record = RecordIO.encode(Array(json.utf8))
            out.append(contentsOf: Array(String(record.count, radix: 16).utf8) + [13, 10])
            out.append(contentsOf: record)
            out.append(contentsOf: [13, 10])
        }
        appendEvent(subscribed)
        for index in 0..<events {
            switch index % 4 {
            case 0: appendEvent(launch)
            case 3: appendEvent(heartbeat)
            default: appendEvent(acknowledged)
            }
        }
        return out
    }
}
