import EventLoop

/// Running a command inside a container through the engine's exec API: what COMMAND checks need.
protocol DockerExecuting: AnyObject {
    /// Runs `command` in the container, with `environment` (`NAME=value`) added, and reports its exit status once it
    /// has ended. Cancelling the handle abandons the exec and kills its process. Call on the loop.
    func execute(
        containerID: String,
        command: [String],
        environment: [String],
        completion: @escaping (Result<Int, DockerError>) -> Void
    ) -> any DockerStreamHandle
}

/// One exec: create, start attached (the engine closes the stream when the process ends, so no polling), inspect
/// for the exit status.
final class DockerExecRun: DockerStreamHandle, @unchecked Sendable {
    // @unchecked: touched on the loop only.
    var execID: String?
    var stream: DockerClientStream?
    var completion: ((Result<Int, DockerError>) -> Void)?
    /// Inspects that still found the process running just after its stream ended.
    var stillRunning = 0
    weak var client: DockerClient?

    init(client: DockerClient, completion: @escaping (Result<Int, DockerError>) -> Void) {
        self.client = client
        self.completion = completion
    }

    func cancel() {
        guard completion != nil else { return }
        completion = nil
        stream?.cancel()
        stream = nil
        if let execID, let client { client.killExecProcess(execID) }
    }

    func finish(_ result: Result<Int, DockerError>) {
        guard let completion else { return }
        self.completion = nil
        stream = nil
        completion(result)
    }
}

extension DockerClient: DockerExecuting {
    /// Inspects made when the exec's stream has ended but the engine has not recorded the exit yet.
    static let maxExecInspects = 20

    func execute(
        containerID: String,
        command: [String],
        environment: [String],
        completion: @escaping (Result<Int, DockerError>) -> Void
    ) -> any DockerStreamHandle {
        let run = DockerExecRun(client: self, completion: completion)
        let body: JSONValue = [
            "AttachStdin": false, "AttachStdout": true, "AttachStderr": true, "Tty": false,
            "Cmd": .array(command.map { .string($0) }), "Env": .array(environment.map { .string($0) }),
        ]
        call(.post, DockerAPI.execCreate(containerID), json: body, accepting: [201]) { [self] result in
            guard run.completion != nil else { return }
            switch result.flatMap({ response in
                Result { () throws(DockerError) in try DockerAPI.createdID(from: response.body) }
            }) {
            case .failure(let error): run.finish(.failure(error))
            case .success(let execID):
                run.execID = execID
                startExec(run, execID)
            }
        }
        return run
    }

    private func startExec(_ run: DockerExecRun, _ execID: String) {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        let start: JSONValue = ["Detach": false, "Tty": false]
        run.stream = openStream(
            .post, DockerAPI.execStart(execID), headers: headers, body: start.serialized(), accepting: [200],
            onHead: { _ in },
            // The command's output is not kept: a check's verdict is its exit status.
            onBody: { _ in },
            onEnd: { [self] result in
                guard run.completion != nil else { return }
                switch result {
                case .failure(let error): run.finish(.failure(error))
                case .success: inspectExec(run, execID)
                }
            })
    }

    private func inspectExec(_ run: DockerExecRun, _ execID: String) {
        call(.get, DockerAPI.execInspect(execID), accepting: [200]) { [self] result in
            guard run.completion != nil else { return }
            switch result {
            case .failure(let error): run.finish(.failure(error))
            case .success(let response):
                let document = try? JSON.parse(response.body)
                if document?["Running"]?.boolValue == true, run.stillRunning < Self.maxExecInspects {
                    // The stream ends a moment before the engine records the exit.
                    run.stillRunning += 1
                    let again = LoopBound({ [self] in inspectExec(run, execID) }, loop: loop)
                    _ = loop.schedule(after: .milliseconds(50)) { again.value() }
                    return
                }
                guard let code = document?["ExitCode"]?.int64Value, let exitCode = Int(exactly: code) else {
                    return run.finish(.failure(.malformedResponse("the exec inspect answer has no ExitCode")))
                }
                run.finish(.success(exitCode))
            }
        }
    }

    /// Kills an abandoned exec's process (its `Pid` is a host process id) when it still runs.
    func killExecProcess(_ execID: String) {
        call(.get, DockerAPI.execInspect(execID), accepting: [200]) { result in
            guard case .success(let response) = result, let document = try? JSON.parse(response.body),
                document["Running"]?.boolValue == true, let pid = document["Pid"]?.int64Value,
                let processID = Int32(exactly: pid), processID > 1
            else { return }
            do {
                try Posix.kill(processID, Posix.Signal.kill)
            } catch {
                Log.warning("Killing the timed-out check command (process \(processID)) failed: \(error)")
            }
        }
    }
}
