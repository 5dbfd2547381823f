import Foundation

/// The density benchmark's command line and environment.
struct DensitySettings: Sendable {
    static let usage = """
        usage: swift run -c release Benchmarks density [options]
          --executors N     executors (and copies of each floor) to run side by side (default 100)
          --seconds S       length of the steady-state window: CPU is measured over it, memory sampled during it
                            (default 30; --seconds 600 is the soak)
          --sample-every S  memory sampling period during the window (default 30)
          --settle S        wait after every executor reported healthy, before the window (default 10)
          --concurrency C   executors started at a time (default 4: the engine starts ~3-5 containers/s)
          --json PATH       where to write every figure (default .build/density.json)
          --no-build        use .build/release/sidecar-executor as it is instead of running
                            `swift build -c release --product sidecar-executor` first
          --binary PATH     run this executor binary instead (implies --no-build)
          --health-check http  give every task a Mesos HTTP health check every 10 s (TaskInfo.health_check)
                            against a busybox httpd of its own; its first success is the "healthy" waited for
          --vault-tls       also run one more executor whose task has a vault:// value, resolved through a simulated
                            Vault over TLS (test CA of scripts/make-test-certs.sh); reported on its own row
          --engine E        docker (default): real containers on the private engine; simulated: the simulated
                            Docker engine of Sources/Simulators in this process (no containers, no DOCKER_HOST)
          --catalog N       Sidecar's catalog also lists a generated cluster of N services (default 0: only the
                            fleet's own); with TASK_HOST set the executors poll the per-service endpoint
        Needs the private Docker engine: DOCKER_HOST=unix://PATH (scripts/docker-engine.sh start, then source its env).
        DENSITY_EXECUTOR_ENV="NAME=value ..." adds variables to every executor's environment, e.g.
        "EXECUTOR_SIDECAR_POLL_INTERVAL=30s TASK_HOST=density-host" (a 30 s poll of the per-service endpoint).

        """

    var executors = 100
    var seconds = 30.0
    var sampleEvery = 30.0
    var settle = 10.0
    var concurrency = 4
    var jsonPath = ".build/density.json"
    var build = true
    /// `--health-check http`.
    var httpHealthCheck = false
    /// `--vault-tls`.
    var vaultTLS = false
    var root: String
    var executorBinary: String
    var executorScript: String
    var dockerHost: String
    /// Tasks run in the simulated Docker engine instead of the private one.
    var simulatedEngine = false
    var catalogServices = 0

    /// Parses the arguments after `density`.
    static func parse(_ arguments: [String]) throws -> DensitySettings {
        let environment = ProcessInfo.processInfo.environment
        let root = FileManager.default.currentDirectoryPath
        var settings = DensitySettings(
            root: root,
            executorBinary: "\(root)/.build/release/sidecar-executor",
            executorScript: "\(root)/executor.sh",
            dockerHost: environment["DOCKER_HOST"] ?? "")
        var remaining = arguments[...]
        func value(_ option: String) throws -> String {
            guard let next = remaining.popFirst() else { throw DensityFailure("\(option) needs a value\n\n\(usage)") }
            return next
        }
        func number(_ option: String) throws -> Double {
            let text = try value(option)
            guard let parsed = Double(text), parsed >= 0 else {
                throw DensityFailure("\(option) needs a non-negative number, not '\(text)'")
            }
            return parsed
        }
        while let option = remaining.popFirst() {
            switch option {
            case "--executors": settings.executors = max(1, Int(try number(option)))
            case "--seconds": settings.seconds = try number(option)
            case "--sample-every": settings.sampleEvery = max(1, try number(option))
            case "--settle": settings.settle = try number(option)
            case "--concurrency": settings.concurrency = max(1, Int(try number(option)))
            case "--json": settings.jsonPath = try value(option)
            case "--no-build": settings.build = false
            case "--binary":
                settings.executorBinary = try value(option)
                settings.build = false
            case "--health-check":
                let kind = try value(option)
                guard kind == "http" else { throw DensityFailure("--health-check takes http, not '\(kind)'") }
                settings.httpHealthCheck = true
            case "--vault-tls": settings.vaultTLS = true
            case "--engine":
                let name = try value(option)
                guard name == "docker" || name == "simulated" else {
                    throw DensityFailure("--engine is docker or simulated, not '\(name)'")
                }
                settings.simulatedEngine = name == "simulated"
            case "--catalog": settings.catalogServices = Int(try number(option))
            case "--help", "-h": throw DensityFailure(usage)
            default: throw DensityFailure("unknown option '\(option)'\n\n\(usage)")
            }
        }
        guard settings.simulatedEngine || settings.dockerHost.hasPrefix("unix://") else {
            throw DensityFailure("DOCKER_HOST is not set to the private engine's unix:// socket\n\n\(usage)")
        }
        return settings
    }
}
