import EventLoop

/// Replaces every `vault://` value of a container's environment (the executor environment's variables and the
/// `env` parameters alike: all end up in the create body's `Env`) with the secret it names, before the container
/// is created. Any failure fails the task with a message naming the variable and the Vault path, never a value;
/// without a Vault session (no token source configured) every `vault://` value fails, so none is ever passed on.
///
/// The resolved body goes to the engine only: it is not kept, logged or put in any status update.
/// Confined to the loop.
final class SecretResolver: @unchecked Sendable {
    // @unchecked: confined to the loop.

    private let session: VaultSession?
    /// With EXECUTOR_AWS_ROLE: the AWS_* entries are added to every container's environment.
    let aws: AWSRoleCredentials?
    /// What `finish` calls once the revocations are done or their time is up.
    private var finishing: (() -> Void)?

    init(session: VaultSession?, aws: AWSRoleCredentials? = nil) {
        self.session = session
        self.aws = aws
    }

    /// The resolver of both program modes (the executor, `run-task`), from the VAULT_* settings (nil: none parsed).
    /// A Vault session only with a token source: then, and only then for an https VAULT_ADDR, OpenSSL is loaded,
    /// here. AWS role credentials with EXECUTOR_AWS_ROLE (the mode sets what happens when their lease ends).
    static func make(loop: EventLoop, settings: VaultSettings?) -> SecretResolver {
        let session = settings.flatMap {
            $0.hasTokenSource ? VaultSession(client: .make(loop: loop, settings: $0)) : nil
        }
        let aws = session.flatMap { session in
            session.settings.awsRole.map { AWSRoleCredentials(session: session, role: $0) }
        }
        return SecretResolver(session: session, aws: aws)
    }

    /// Gets the Vault token, when Vault is configured, then calls `completion` (at once without Vault). Run before
    /// anything else waits on the loop: the token's cache file is read and written then.
    func prepare(_ completion: @escaping () -> Void) {
        guard let session else { return completion() }
        session.authenticate(completion)
    }

    /// At exit: with an AWS role, the lease and the executor's token are revoked first, for at most `limit`; then
    /// `completion`, once.
    func finish(within limit: Duration = .seconds(5), _ completion: @escaping () -> Void) {
        guard let aws else { return completion() }
        finishing = completion
        let timer = aws.session.client.loop.schedule(after: limit) { [self] in finished() }
        aws.finish { [self] in
            timer.cancel()
            finished()
        }
    }

    private func finished() {
        let completion = finishing
        finishing = nil
        completion?()
    }

    /// `body` with its `Env` resolved, or why it cannot be. Calls back on the loop, asynchronously when it asks Vault.
    func resolve(_ body: JSONValue, completion: @escaping (Result<JSONValue, VaultError>) -> Void) {
        guard var object = body.objectValue else { return completion(.success(body)) }
        let entries = object["Env"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard aws != nil || entries.contains(where: { Self.reference(in: $0) != nil }) else {
            return completion(.success(body))
        }
        resolve(entries, from: 0) { [aws] result in
            let finish = { (resolved: [String]) in
                object["Env"] = .array(resolved.map { .string($0) })
                completion(.success(.object(object)))
            }
            guard case .success(let resolved) = result else {
                if case .failure(let error) = result { completion(.failure(error)) }
                return
            }
            guard let aws else { return finish(resolved) }
            aws.fetch { credentials in
                switch credentials {
                case .success(let added): finish(resolved + added)
                case .failure(let error):
                    completion(.failure(VaultError("the AWS credentials for role \(aws.role) cannot be had: \(error)")))
                }
            }
        }
    }

    /// The `(name, value)` of an entry whose value is a Vault reference.
    static func reference(in entry: String) -> (name: Substring, value: Substring)? {
        guard let equals = entry.firstIndex(of: "=") else { return nil }
        let value = entry[entry.index(after: equals)...]
        guard VaultReference.isReference(String(value)) else { return nil }
        return (entry[..<equals], value)
    }

    private func resolve(
        _ entries: [String], from index: Int, _ completion: @escaping (Result<[String], VaultError>) -> Void
    ) {
        guard let position = entries[index...].firstIndex(where: { Self.reference(in: $0) != nil }),
            let (name, value) = Self.reference(in: entries[position])
        else { return completion(.success(entries)) }
        func failed(_ reason: String) {
            completion(.failure(VaultError("the variable \(name) (\(value)) cannot be resolved: \(reason)")))
        }
        let reference: VaultReference
        do {
            reference = try VaultReference(parsing: String(value))
        } catch {
            return failed(error.message)
        }
        guard let session else {
            return failed("Vault is not configured (set VAULT_TOKEN, or VAULT_USERNAME and VAULT_PASSWORD)")
        }
        guard let token = session.token else {
            return failed(session.failure?.message ?? "there is no Vault token")
        }
        session.client.call(.get, reference.path, token: token) { [self] result in
            let secret = result.flatMap {
                VaultAnswer.secretField(status: $0.status, body: $0.body, path: reference.path, key: reference.key)
            }
            switch secret {
            case .failure(let error): failed(error.message)
            case .success(let text):
                var resolved = entries
                resolved[position] = "\(name)=\(text)"
                resolve(resolved, from: position + 1, completion)
            }
        }
    }
}
