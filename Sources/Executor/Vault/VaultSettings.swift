import EventLoop

/// The Vault client's settings, from the standard Vault client variables plus the original executor's own
/// (VAULT_TOKEN_FILE, VAULT_TTL, VAULT_USERNAME, VAULT_PASSWORD). Pure: nothing is read or dialled here.
struct VaultSettings: Sendable, Equatable {
    static let defaultAddress = "https://127.0.0.1:8200"

    var address: HTTPURL
    var tls: TLSSettings
    /// Extra attempts after a failed exchange (connection failure or a 5xx answer).
    var maxRetries = 2
    var token: String?
    var tokenFile: String?
    /// Seconds a login token is asked to live (VAULT_TTL); the token file is reused while younger than this − 1 h.
    var tokenTTL = 86_400
    var username: String?
    var password: String?
    /// EXECUTOR_AWS_ROLE: AWS credentials for the container from `aws/creds/<role>`, under a token of the
    /// executor's own (a fresh login, never cached, revoked at exit). (ExecutorSettings validates the three AWS
    /// settings with the others; they are read here, where they are used.)
    var awsRole: String?
    /// EXECUTOR_AWS_ROLE_TTL in seconds (0: the lease as Vault gives it, not renewed).
    var awsRoleTTL = 0

    /// Whether any way to get a token is configured: without one, Vault is not in use and a `vault://` value fails
    /// its task at once.
    var hasTokenSource: Bool { token != nil || (username != nil && password != nil) }

    /// How long the login token is asked to live: the AWS role's TTL (default 1 h) + 10 min with a role, else
    /// VAULT_TTL + 10 min.
    var loginIncrement: Int { (awsRole == nil ? tokenTTL : (awsRoleTTL > 0 ? awsRoleTTL : 3600)) + 600 }

    /// The settings, or the problems with them (each naming its variable).
    static func parse(_ environment: [String: String]) -> Result<VaultSettings, SettingsError> {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        var problems: [String] = []
        let addressText = value("VAULT_ADDR") ?? defaultAddress
        let address: HTTPURL
        do {
            address = try HTTPURL(parsing: addressText)
        } catch {
            return .failure(SettingsError(problems: ["VAULT_ADDR='\(addressText)': \(error.reason)"]))
        }
        let skip = value("VAULT_SKIP_VERIFY").map { ["1", "true", "t", "yes"].contains($0.lowercased()) } ?? false
        var settings = VaultSettings(
            address: address,
            tls: TLSSettings(caFile: value("VAULT_CACERT"), caDirectory: value("VAULT_CAPATH"), verifyPeer: !skip))
        settings.token = value("VAULT_TOKEN")
        settings.tokenFile = value("VAULT_TOKEN_FILE")
        settings.username = value("VAULT_USERNAME")
        settings.password = value("VAULT_PASSWORD")
        for (name, minimum, apply) in [
            ("VAULT_MAX_RETRIES", 0, { (settings: inout VaultSettings, number: Int) in settings.maxRetries = number }),
            ("VAULT_TTL", 3601, { (settings: inout VaultSettings, number: Int) in settings.tokenTTL = number }),
        ] {
            guard let text = value(name) else { continue }
            guard let number = Int(text), number >= minimum, number <= 100 * 365 * 86_400 else {
                problems.append("\(name)='\(text)': expected a whole number of at least \(minimum)")
                continue
            }
            apply(&settings, number)
        }
        settings.awsRole = value("EXECUTOR_AWS_ROLE")
        let ttl = (try? ExecutorSettings.parseDuration(value("EXECUTOR_AWS_ROLE_TTL") ?? "0")) ?? .zero
        let maxTTL = (try? ExecutorSettings.parseDuration(value("EXECUTOR_AWS_ROLE_MAX_TTL") ?? "744h")) ?? .zero
        if ttl > maxTTL {
            problems.append("EXECUTOR_AWS_ROLE_TTL is longer than EXECUTOR_AWS_ROLE_MAX_TTL")
        }
        settings.awsRoleTTL = Int(ttl.components.seconds)
        guard problems.isEmpty else { return .failure(SettingsError(problems: problems)) }
        return .success(settings)
    }
}
