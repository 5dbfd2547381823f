import EventLoop

/// AWS credentials for the container from Vault's AWS secrets engine (EXECUTOR_AWS_ROLE): `GET aws/creds/<role>`
/// gives AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, when Vault returns a `security_token` (STS credentials, which
/// do not work without it), AWS_SESSION_TOKEN (the original executor drops it). With EXECUTOR_AWS_ROLE_TTL the lease
/// is renewed to TTL + 6 min. 6 min before the lease ends the task is stopped cleanly (`onLeaseEnding`: a clean stop
/// as on SIGUSR1, whose terminal update names the lease), since the container's credentials stop working then. At exit
/// the lease is revoked, then the executor's own token (`finish`). Confined to the loop.
final class AWSRoleCredentials: @unchecked Sendable {
    // @unchecked: confined to the loop.

    static let margin = 360
    let session: VaultSession
    let role: String
    /// Called `margin` seconds (or, for a shorter lease, the whole lease) before the lease ends, with the seconds left.
    var onLeaseEnding: (_ secondsLeft: Int) -> Void = { _ in }
    private(set) var lease: VaultAnswer.Lease?
    private var stopTimer: ScheduledTimer?

    init(session: VaultSession, role: String) {
        self.session = session
        self.role = role
    }

    /// The container's AWS_* entries, or why they cannot be had (which fails the task).
    func fetch(_ completion: @escaping (Result<[String], VaultError>) -> Void) {
        guard let token = session.token else {
            return completion(.failure(VaultError(session.failure?.message ?? "there is no Vault token")))
        }
        session.client.call(.get, "aws/creds/\(role)", token: token) { [self] result in
            let answer: VaultClient.Answer
            switch result {
            case .failure(let error): return completion(.failure(error))
            case .success(let value): answer = value
            }
            guard answer.status == 200, let lease = VaultAnswer.lease(in: answer.body),
                let access = answer.body?["data"]?["access_key"]?.stringValue,
                let secret = answer.body?["data"]?["secret_key"]?.stringValue
            else {
                return completion(
                    .failure(
                        VaultError(
                            "Vault gave no AWS credentials for role \(role) (\(answer.status)): "
                                + VaultAnswer.errors(in: answer.body))))
            }
            self.lease = lease
            var entries = ["AWS_ACCESS_KEY_ID=\(access)", "AWS_SECRET_ACCESS_KEY=\(secret)"]
            if let session = answer.body?["data"]?["security_token"]?.stringValue, !session.isEmpty {
                entries.append("AWS_SESSION_TOKEN=\(session)")
            }
            let ttl = self.session.settings.awsRoleTTL
            guard ttl > 0 else {
                watch(lease.duration)
                return completion(.success(entries))
            }
            let body: JSONValue = ["lease_id": .string(lease.id), "increment": .int(Int64(ttl + Self.margin))]
            self.session.client.call(.put, "sys/leases/renew", token: token, body: body) { [self] renewed in
                guard case .success(let answer) = renewed, answer.status == 200,
                    let duration = answer.body?["lease_duration"]?.int64Value
                else {
                    return completion(
                        .failure(VaultError("renewing the AWS credentials' lease for role \(role) failed")))
                }
                Log.info("Vault: AWS credentials for role \(role), lease renewed to \(duration) s.")
                watch(Int(duration))
                completion(.success(entries))
            }
        }
    }

    private func watch(_ duration: Int) {
        let wait = max(0, duration - Self.margin)
        let loop = session.client.loop
        let ending = LoopBound(
            { [self] in
                Log.info(
                    "Vault: the AWS credentials' lease for role \(role) ends in \(duration - wait) s: stopping the task."
                )
                onLeaseEnding(duration - wait)
            }, loop: loop)
        stopTimer?.cancel()
        stopTimer = loop.schedule(after: .seconds(wait)) { ending.value() }
    }

    /// Revokes the lease (if any), then the executor's own token; `completion` runs either way.
    func finish(_ completion: @escaping () -> Void) {
        stopTimer?.cancel()
        guard let token = session.token else { return completion() }
        let revokeToken = { [self] in
            session.client.call(.post, "auth/token/revoke-self", token: token) { result in
                if case .success(let answer) = result, answer.status == 204 {
                    Log.info("Vault: the executor's token is revoked.")
                } else {
                    Log.warning("Vault: the executor's token could not be revoked.")
                }
                completion()
            }
        }
        guard let lease else { return revokeToken() }
        session.client.call(.put, "sys/leases/revoke", token: token, body: ["lease_id": .string(lease.id)]) {
            [self] result in
            if case .success(let answer) = result, answer.status == 204 {
                Log.info("Vault: the AWS credentials' lease for role \(role) is revoked.")
            } else {
                Log.warning("Vault: the AWS credentials' lease for role \(role) could not be revoked.")
            }
            revokeToken()
        }
    }
}
