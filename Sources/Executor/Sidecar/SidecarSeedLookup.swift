import EventLoop

/// Asks the Mesos agent for its master, then the master for its agents, on the loop: the `SIDECAR_SEEDS` entry
/// for EXECUTOR_SEED_SIDECAR, or nil when any step fails (logged, as the original did, and the task goes on
/// without it). Each request is bounded by EXECUTOR_HTTP_TIMEOUT; redirects are not followed (the agent's
/// `master_hostname` is the leading master, which answers itself).
final class SidecarSeedLookup: @unchecked Sendable {
    // @unchecked: confined to the loop.
    private let loop: EventLoop
    private let agentEndpoint: String
    private let masterPort: String
    private let timeout: Duration
    private var client: HTTPClient?
    private var completion: ((String?) -> Void)?

    init(loop: EventLoop, agentEndpoint: String, masterPort: String, timeout: Duration) {
        self.loop = loop
        self.agentEndpoint = agentEndpoint
        self.masterPort = masterPort
        self.timeout = timeout
    }

    /// Runs the two requests; `completion` runs once, on the loop, with `SIDECAR_SEEDS=h1,h2,…` or nil.
    func start(completion: @escaping (String?) -> Void) {
        loop.assertOnLoop()
        self.completion = completion
        do throws(SidecarSeeds.Failure) {
            let url = try SidecarSeeds.agentStateURL(agentEndpoint: agentEndpoint)
            get(url, what: "the Mesos agent's master") { [self] body throws(SidecarSeeds.Failure) in
                let master = try SidecarSeeds.masterHostname(fromAgentState: body)
                let slaves = try SidecarSeeds.slavesURL(masterHostname: master, port: masterPort)
                get(slaves, what: "the Mesos master's agents") { [self] body throws(SidecarSeeds.Failure) in
                    finish(SidecarSeeds.variable(hostnames: try SidecarSeeds.hostnames(fromSlaves: body)))
                }
            }
        } catch {
            fail("the Mesos agent's master", error.description)
        }
    }

    private func get(
        _ url: HTTPURL, what: String, then next: @escaping ([UInt8]) throws(SidecarSeeds.Failure) -> Void
    ) {
        client?.close()
        let client = HTTPClient(endpoint: .tcp(host: url.host, port: url.port), on: loop, hostHeader: url.hostHeader)
        self.client = client
        let request = HTTPRequest(method: .get, target: url.target, headers: ["Accept": "application/json"])
        client.request(request, timeout: timeout, maxBodyBytes: SidecarSeeds.maxBodyBytes) { [self] result in
            switch result {
            case .success(let response):
                do throws(SidecarSeeds.Failure) {
                    try next(response.body)
                } catch {
                    fail(what, error.description)
                }
            case .failure(let error):
                fail(what, "GET \(url) failed: \(error)")
            }
        }
    }

    private func fail(_ what: String, _ reason: String) {
        Log.error("SIDECAR_SEEDS is left out of the container's environment: cannot get \(what): \(reason)")
        finish(nil)
    }

    private func finish(_ variable: String?) {
        let completion = self.completion
        self.completion = nil
        // Closing from within the client's own callback is safe: the exchange is over.
        client?.close()
        client = nil
        completion?(variable)
    }
}
