import EventLoop
import Foundation

/// Parse and serialize throughput of our JSON codec against Foundation's JSONSerialization on the same
/// ~1 MB document: 500 Mesos TaskInfo-like objects with nested resources, escapes, unicode, ints and doubles.
/// Prints MB/s (best of 5 repetitions) and the ratio ours / Foundation; nothing is asserted.
func runJSONBenchmark() {
    let document = JSONValue.array((0..<500).map(benchmarkTaskInfo))
    let bytes = document.serialized()
    let data = Data(bytes)
    let megabytes = Double(bytes.count) / 1_000_000
    let iterations = 20
    print("JSON benchmark: \(bytes.count) bytes, \(iterations) iterations per repetition, best of 5")

    // Both parsers must agree on the input before their speeds mean anything.
    guard let ours = try? JSON.parse(bytes), ours == document,
        let foundation = try? JSONSerialization.jsonObject(with: data) as? [Any], foundation.count == 500
    else {
        print("error: the parsers disagree on the benchmark document")
        return
    }

    let ourParse = bestSeconds(iterations: iterations) {
        _ = try? JSON.parse(bytes)
    }
    let foundationParse = bestSeconds(iterations: iterations) {
        _ = try? JSONSerialization.jsonObject(with: data)
    }
    report("parse", megabytes: megabytes, ours: ourParse, foundation: foundationParse)

    var output: [UInt8] = []
    let ourSerialize = bestSeconds(iterations: iterations) {
        output.removeAll(keepingCapacity: true)
        ours.serialize(into: &output)
    }
    let foundationSerialize = bestSeconds(iterations: iterations) {
        _ = try? JSONSerialization.data(withJSONObject: foundation)
    }
    report("serialize", megabytes: megabytes, ours: ourSerialize, foundation: foundationSerialize)
}

/// The fastest of five timed loops of `iterations` calls, in seconds per call.
private func bestSeconds(iterations: Int, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    var best = Double.infinity
    for _ in 0..<5 {
        let elapsed = clock.measure {
            for _ in 0..<iterations {
                body()
            }
        }
        best = min(best, elapsed.secondsValue / Double(iterations))
    }
    return best
}

private func report(_ name: String, megabytes: Double, ours: Double, foundation: Double) {
    func rate(_ seconds: Double) -> String {
        String(format: "%7.1f MB/s", megabytes / seconds)
    }
    let ratio = String(format: "%.2f", foundation / ours)
    print(
        "  \(name.padding(toLength: 10, withPad: " ", startingAt: 0)) ours \(rate(ours))   Foundation \(rate(foundation))   ours/Foundation \(ratio)x"
    )
}

/// One TaskInfo as the Mesos agent sends it in a LAUNCH event, varied by `index`.
private func benchmarkTaskInfo(_ index: Int) -> JSONValue {
    let id = "web-\(index).4a3c9fde-3b6e-11ef-9c2a-\(String(index * 7919, radix: 16))"
    let port = Int64(31_000 + index)
    let resources: [JSONValue] = [
        ["name": "cpus", "type": "SCALAR", "scalar": ["value": .double(0.1 * Double(index % 8 + 1))], "role": "*"],
        ["name": "mem", "type": "SCALAR", "scalar": ["value": .double(Double(128 << (index % 4)))], "role": "*"],
        ["name": "disk", "type": "SCALAR", "scalar": ["value": .double(1024.5 + Double(index))], "role": "*"],
        [
            "name": "ports", "type": "RANGES", "role": "*",
            "ranges": ["range": [["begin": .int(port), "end": .int(port + 1)]]],
        ],
    ]
    let labels: [JSONValue] = [
        ["key": "ServiceName", "value": .string("service-\(index % 40)")],
        ["key": "EnvironmentName", "value": "production"],
        ["key": "HealthCheck", "value": "HttpGet"],
        ["key": "HealthCheckArgs", "value": .string("http://{{ host }}:{{ tcp 8080 }}/health?task=\(index)")],
        [
            "key": "Description",
            "value": .string("Caf\u{E9} \"r\u{E9}sum\u{E9}\" \u{65E5}\u{672C} \u{1F680}\nline\ttab #\(index)"),
        ],
    ]
    let variables: [JSONValue] = (0..<6).map { variable in
        [
            "name": .string("ENV_VAR_\(variable)"), "type": "VALUE",
            "value": .string("value-\(variable)-\(index)/path\\with\\backslashes"),
        ]
    }
    let task: JSONValue = [
        "name": .string("web-\(index)"),
        "task_id": ["value": .string(id)],
        "agent_id": ["value": "b1e3c0a2-7f4e-4d55-9a0b-2f1c3d4e5f60-S3"],
        "resources": .array(resources),
        "executor": [
            "executor_id": ["value": .string(id)],
            "framework_id": ["value": "f00d-0001"],
            "command": ["value": "/opt/executor/executor.sh", "shell": true],
        ],
        "command": ["shell": false, "environment": ["variables": .array(variables)]],
        "container": [
            "type": "DOCKER",
            "docker": [
                "image": .string("registry.example.com/team/web:1.\(index)"), "network": "BRIDGE",
                "port_mappings": [["host_port": .int(port), "container_port": 8080, "protocol": "tcp"]],
                "privileged": false, "force_pull_image": .bool(index % 2 == 0),
                "parameters": [["key": "label", "value": .string("ServicePort_8080=\(10_000 + index)")]],
            ],
        ],
        "labels": ["labels": .array(labels)],
        "health_check": ["delay_seconds": 15.0, "interval_seconds": 10.0, "timeout_seconds": 2.5],
        "kill_policy": ["grace_period": ["nanoseconds": .int(5_000_000_000 + Int64(index))]],
    ]
    return ["type": "LAUNCH", "launch": ["task": task]]
}
