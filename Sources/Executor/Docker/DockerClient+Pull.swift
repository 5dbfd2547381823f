import EventLoop

extension DockerClient {
    /// Pulls with the registry login (never logged) and scans the 200 progress stream for an error line; retried
    /// like the original for transient failures, each attempt bounded by `pullTimeout`.
    func pullImage(
        _ image: ImageReference,
        credential: RegistryCredential?,
        completion: @escaping (Result<Void, DockerError>) -> Void
    ) {
        retrying("Pulling \(image)", completion: completion) { [self] attempt in
            pullOnce(image, credential: credential, completion: attempt)
        }
    }

    private func pullOnce(
        _ image: ImageReference,
        credential: RegistryCredential?,
        completion: @escaping (Result<Void, DockerError>) -> Void
    ) {
        var headers = HTTPHeaders()
        if let credential { headers.add("X-Registry-Auth", credential.registryAuthHeader) }
        var scanner = PullProgressScanner()
        let handle = DockerClientStream()
        var timer: ScheduledTimer?
        let end: (Result<Void, DockerError>) -> Void = { result in
            timer?.cancel()
            completion(
                result.flatMap { () in
                    Result { () throws(DockerError) in
                        try scanner.finish()
                        Log.info("Pulled \(image): \(scanner.lastStatus ?? "done").")
                    }
                })
        }
        _ = openStream(
            .post, DockerAPI.pull(image), headers: headers, handle: handle, onHead: { _ in },
            onBody: { [self] bytes in
                do throws(DockerError) {
                    try scanner.feed(bytes, image: image.text)
                } catch {
                    abort(handle, with: error, onEnd: end)
                }
            },
            onEnd: end)
        let limit = settings.pullTimeout
        let expire = LoopBound(
            { [self] in
                abort(handle, with: .transport(.timedOut(after: limit)), onEnd: end)
            }, loop: loop)
        timer = loop.schedule(after: limit) { expire.value() }
    }
}
