import EventLoop

/// Builds the HTTP requests of the executor API: the path the environment names, and exactly the headers the agent
/// wants (it compares `Content-Type` as a whole string, so no parameters; a bearer token when executor
/// authentication is on).
struct AgentRequests: Sendable {
    let environment: AgentEnvironment

    func request(for call: ExecutorCall) -> HTTPRequest {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "Accept": "application/json"]
        if let token = environment.authenticationToken {
            headers.add("Authorization", token.authorizationHeaderValue)
        }
        let body = call.json(frameworkID: environment.frameworkID, executorID: environment.executorID).serialized()
        return HTTPRequest(method: .post, target: environment.executorPath, headers: headers, body: body)
    }
}
