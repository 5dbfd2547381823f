// Benchmarks: `swift run -c release Benchmarks <name>`. Figures are printed (and written as JSON where a
// benchmark says so), never asserted: wall-clock time on a shared 2-core machine is too noisy for a test.
let benchmarks: [(name: String, summary: String, run: () -> Void)] = [
    ("codecs", "decode throughput of a Mesos event stream and JSON parse/serialize, beside Foundation", runCodecs),
    (
        "density", "N executors with real containers: memory, threads, idle CPU beside floors, and latencies",
        { DensityBenchmark.main(Array(arguments.dropFirst())) }
    ),
    (
        "sidecar-poll", "one executor's cost per Sidecar poll: state document vs per-service endpoint, cluster catalog",
        { SidecarPollBenchmark.main(Array(arguments.dropFirst())) }
    ),
]

func runCodecs() {
    MesosStreamBenchmark.run()
    runJSONBenchmark()
}

let arguments = Array(CommandLine.arguments.dropFirst())
if let name = arguments.first, let benchmark = benchmarks.first(where: { $0.name == name }) {
    benchmark.run()
} else {
    print("usage: swift run -c release Benchmarks <name> [options]\n")
    for benchmark in benchmarks {
        print("  \(benchmark.name)\t\(benchmark.summary)")
    }
}
