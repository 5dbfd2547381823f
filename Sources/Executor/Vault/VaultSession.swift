import EventLoop

/// The executor's Vault token, got once at start-up by the original's rules:
/// 1. VAULT_TOKEN, when set, as it is;
/// 2. else the token cached in VAULT_TOKEN_FILE, when the file was written less than VAULT_TTL − 1 h ago and Vault
///    still knows the token (`GET auth/token/lookup-self`);
/// 3. else a userpass login (`PUT auth/userpass/login/<VAULT_USERNAME>`), renewed to VAULT_TTL + 10 min
///    (`PUT auth/token/renew`), checked (`POST auth/token/lookup`), and cached in VAULT_TOKEN_FILE (mode 0600), so
///    the many executors of a host share one token instead of each minting its own.
/// A failure is logged and kept: a task with `vault://` values then fails with it; a task without runs.
///
/// `authenticate` runs before the executor connects to the agent: the token file is read and written then, while
/// nothing else waits on the loop. Confined to the loop.
final class VaultSession: @unchecked Sendable {
    // @unchecked: confined to the loop.

    let client: VaultClient
    private let now: () -> Double
    private(set) var token: String?
    /// Why there is no token, for the message of a task that needs one.
    private(set) var failure: VaultError?

    init(client: VaultClient, now: @escaping () -> Double = { WallClock.now() }) {
        self.client = client
        self.now = now
    }

    var settings: VaultSettings { client.settings }

    func authenticate(_ completion: @escaping () -> Void) {
        client.loop.assertOnLoop()
        if settings.awsRole != nil { return login(completion) }  // the role's own token, never shared
        if let token = settings.token {
            self.token = token
            return completion()
        }
        guard let path = settings.tokenFile, let cached = cachedToken(path) else { return login(completion) }
        client.call(.get, "auth/token/lookup-self", token: cached) { [self] result in
            if case .success(let answer) = result, answer.status == 200 {
                Log.info("Vault: using the token cached in \(path).")
                token = cached
                return completion()
            }
            Log.info("Vault: the token cached in \(path) is no longer valid; logging in.")
            login(completion)
        }
    }

    /// The cached token when the file is young enough to hold a live one.
    private func cachedToken(_ path: String) -> String? {
        guard let written = SmallFiles.modificationTime(path),
            now() - written < Double(settings.tokenTTL - 3600),
            let bytes = try? FileReader.read(path, maxBytes: 4096)
        else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace }
        return text.isEmpty ? nil : text
    }

    private func login(_ completion: @escaping () -> Void) {
        guard let username = settings.username, let password = settings.password else {
            fail(
                VaultError(
                    "no Vault token: VAULT_TOKEN is not set and VAULT_USERNAME and VAULT_PASSWORD are not both set"))
            return completion()
        }
        let body: JSONValue = ["password": .string(password)]
        client.call(.put, "auth/userpass/login/\(username)", token: nil, body: body) { [self] result in
            switch result.flatMap({ VaultAnswer.clientToken(status: $0.status, body: $0.body, what: "The Vault login") }
            ) {
            case .failure(let error):
                fail(VaultError("Vault login as \(username) failed: \(error)"))
                completion()
            case .success(let fresh):
                renew(fresh, completion)
            }
        }
    }

    private func renew(_ fresh: String, _ completion: @escaping () -> Void) {
        let body: JSONValue = ["token": .string(fresh), "increment": .int(Int64(settings.loginIncrement))]
        client.call(.put, "auth/token/renew", token: fresh, body: body) { [self] result in
            switch result.flatMap({ VaultAnswer.clientToken(status: $0.status, body: $0.body, what: "The renewal") }) {
            case .failure(let error):
                fail(VaultError("renewing the Vault login token failed: \(error)"))
                completion()
            case .success:
                token = fresh
                check(fresh, completion)
            }
        }
    }

    private func check(_ fresh: String, _ completion: @escaping () -> Void) {
        client.call(.post, "auth/token/lookup", token: fresh, body: ["token": .string(fresh)]) { [self] result in
            if case .success(let answer) = result, let ttl = answer.body?["data"]?["ttl"]?.int64Value {
                Log.info("Vault: logged in as \(settings.username ?? ""); the token lives \(ttl) s.")
            } else {
                Log.warning("Vault: logged in, but the token's lifetime could not be looked up.")
            }
            if let path = settings.tokenFile, settings.awsRole == nil {
                do {
                    try SmallFiles.writePrivately(path, Array(fresh.utf8))
                } catch {
                    Log.warning("Vault: the token could not be cached in \(path): \(error)")
                }
            }
            completion()
        }
    }

    private func fail(_ error: VaultError) {
        failure = error
        Log.error("Vault: \(error)")
    }
}
