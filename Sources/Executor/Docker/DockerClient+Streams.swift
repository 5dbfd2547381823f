import EventLoop

/// A long poll of the engine (wait, logs, pull): cancelling it ends the HTTP stream and silences its callbacks.
final class DockerClientStream: DockerStreamHandle, @unchecked Sendable {
    // @unchecked: touched on the loop only.
    var task: HTTPClientTask?
    private(set) var isCancelled = false
    /// Set once the stream has delivered its outcome; later events are ignored.
    var isDone = false

    func cancel() {
        isCancelled = true
        task?.cancel()
        task = nil
    }
}

extension DockerClient {
    /// Opens `target` as a stream on a connection of its own, once the API version is known. A status outside
    /// `accepted` ends the stream with the engine's error; `onHead` and `onBody` only see accepted responses.
    /// `onEnd` runs once unless the handle is cancelled.
    func openStream(
        _ method: HTTPMethod,
        _ target: String,
        headers: HTTPHeaders = [:],
        accepting accepted: Set<Int> = [200],
        handle: DockerClientStream = DockerClientStream(),
        onHead: @escaping (HTTPResponseHead) -> Void,
        onBody: @escaping ([UInt8]) -> Void,
        onEnd: @escaping (Result<Void, DockerError>) -> Void
    ) -> DockerClientStream {
        let finish: (Result<Void, DockerError>) -> Void = { [handle] result in
            guard !handle.isCancelled, !handle.isDone else { return }
            handle.isDone = true
            onEnd(result)
        }
        withVersion { [self] prefix in
            guard !handle.isCancelled else { return }
            guard case .success(let prefix) = prefix else {
                if case .failure(let error) = prefix { finish(.failure(error)) }
                return
            }
            var status = 0
            var errorBody: [UInt8] = []
            let request = HTTPRequest(method: method, target: prefix + target, headers: headers)
            handle.task = http.stream(
                request, headTimeout: settings.requestTimeout,
                onHead: { head in
                    status = head.status
                    if accepted.contains(status) { onHead(head) }
                },
                onBody: { bytes in
                    guard !handle.isCancelled, !handle.isDone else { return }
                    if accepted.contains(status) {
                        onBody(bytes)
                    } else if errorBody.count < Self.maxSmallBody {
                        errorBody += bytes.prefix(Self.maxSmallBody - errorBody.count)
                    }
                },
                onEnd: { result in
                    switch result {
                    case .failure(let error):
                        finish(.failure(.transport(error)))
                    case .success where accepted.contains(status):
                        finish(.success(()))
                    case .success:
                        finish(
                            .failure(
                                .engine(
                                    status: status, message: DockerAPI.errorMessage(from: errorBody, status: status))))
                    }
                })
        }
        return handle
    }

    /// Ends a stream from inside its own callbacks with `error` (a malformed body, a limit).
    func abort(_ handle: DockerClientStream, with error: DockerError, onEnd: (Result<Void, DockerError>) -> Void) {
        guard !handle.isDone else { return }
        handle.isDone = true
        handle.task?.cancel()
        handle.task = nil
        onEnd(.failure(error))
    }

    // MARK: - Wait

    func waitForExit(
        containerID: String,
        condition: WaitCondition,
        onWaiting: @escaping () -> Void,
        completion: @escaping (Result<ContainerExit, DockerError>) -> Void
    ) -> any DockerStreamHandle {
        var body: [UInt8] = []
        let handle = DockerClientStream()
        let end: (Result<Void, DockerError>) -> Void = { result in
            completion(result.flatMap { () in Result { () throws(DockerError) in try DockerAPI.exit(from: body) } })
        }
        return openStream(
            .post, DockerAPI.wait(containerID, condition: condition), handle: handle,
            // The head comes at once, the body at the exit: once the head is here the wait is registered.
            onHead: { _ in onWaiting() },
            onBody: { [self] bytes in
                body += bytes
                if body.count > Self.maxSmallBody {
                    abort(
                        handle, with: .malformedResponse("the wait answer exceeds \(Self.maxSmallBody) bytes"),
                        onEnd: end)
                }
            },
            onEnd: end)
    }

    // MARK: - Logs

    func followLogs(
        containerID: String,
        tty: Bool,
        since: Double?,
        onOutput: @escaping (DockerLogStream, [UInt8]) -> Void,
        onEnd: @escaping (DockerError?) -> Void
    ) -> any DockerStreamHandle {
        var raw = tty
        var decoder = DockerLogFrameDecoder()
        var buffer = ByteBuffer()
        let handle = DockerClientStream()
        let end: (Result<Void, DockerError>) -> Void = { result in
            if case .failure(let error) = result { return onEnd(error) }
            do throws(DockerLogFrameError) {
                if !raw { try decoder.finish(buffer) }
                onEnd(nil)
            } catch {
                onEnd(.malformedResponse("the log stream ends inside a frame (\(error))"))
            }
        }
        return openStream(
            .get, DockerAPI.logs(containerID, since: since), handle: handle,
            onHead: { head in
                // Newer engines say which framing they use; 20.10 says nothing and the TTY flag decides.
                if let type = head.headers["Content-Type"], type.hasPrefix("application/vnd.docker.raw-stream") {
                    raw = true
                }
            },
            onBody: { [self] bytes in
                if raw { return onOutput(.stdout, bytes) }
                buffer.append(contentsOf: bytes)
                do throws(DockerLogFrameError) {
                    while let chunk = try decoder.decode(&buffer) {
                        onOutput(chunk.stream == .stderr ? .stderr : .stdout, chunk.bytes)
                    }
                } catch {
                    abort(
                        handle, with: .malformedResponse("the log stream is not Docker's framing (\(error))"),
                        onEnd: end)
                }
            },
            onEnd: end)
    }
}
