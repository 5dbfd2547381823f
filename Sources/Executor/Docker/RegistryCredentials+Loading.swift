import EventLoop

extension RegistryCredentials {
    /// Docker config files larger than this are not a login list.
    static let maxFileBytes = 1 << 20

    /// What start-up found: the logins, the files they came from, and the files passed over (with why).
    struct Loaded: Sendable {
        var credentials = RegistryCredentials()
        /// The file searched with the process's HOME (nil: none usable; pulls then use the retry's logins).
        var path: String?
        /// The file found by the search again with HOME=/root, when it is another file.
        var rootRetryPath: String?
        /// One sentence per file that exists but could not be used; never includes a secret.
        var skipped: [String] = []
    }

    /// The logins as the original found them, read once at start-up (the loop never reads a file afterwards).
    /// The first usable file of `$DOCKER_CONFIG/config.json`, `$HOME/.docker/config.json`, `$HOME/.dockercfg`
    /// (no HOME: only the first); a file that cannot be read or parsed is passed over for the next one, as the
    /// original's Docker client did. The search is done again with HOME=/root, as the original did when the first
    /// search found no matching login: those logins are used only when the first ones have no match.
    static func load(
        environment: [String: String],
        read: (String) throws(FileReadError) -> [UInt8]? = { path throws(FileReadError) in
            try FileReader.read(path, maxBytes: RegistryCredentials.maxFileBytes)
        }
    ) -> Loaded {
        var loaded = Loaded()
        let home = environment["HOME"] ?? ""
        let dockerConfig = environment["DOCKER_CONFIG"] ?? ""
        let first = firstUsable(
            candidates(dockerConfig: dockerConfig, home: home), read: read, skipped: &loaded.skipped)
        if let first {
            loaded.credentials = first.credentials
            loaded.path = first.path
        }
        if home != "/root" {
            var skippedAgain: [String] = []
            let retry = firstUsable(
                candidates(dockerConfig: dockerConfig, home: "/root"), read: read, skipped: &skippedAgain)
            loaded.skipped += skippedAgain.filter { !loaded.skipped.contains($0) }
            if let retry, retry.path != first?.path {
                loaded.credentials.rootRetryEntries = retry.credentials.entries
                loaded.rootRetryPath = retry.path
            }
        }
        return loaded
    }

    private static func candidates(dockerConfig: String, home: String) -> [(String, Format)] {
        var candidates: [(String, Format)] = []
        if !dockerConfig.isEmpty { candidates.append(("\(dockerConfig)/config.json", .configJSON)) }
        if !home.isEmpty {
            candidates += [("\(home)/.docker/config.json", .configJSON), ("\(home)/.dockercfg", .dockercfg)]
        }
        return candidates
    }

    private static func firstUsable(
        _ candidates: [(String, Format)], read: (String) throws(FileReadError) -> [UInt8]?, skipped: inout [String]
    ) -> (credentials: RegistryCredentials, path: String)? {
        for (path, format) in candidates {
            do {
                guard let bytes = try read(path) else { continue }
                return (try parse(bytes, format: format, path: path), path)
            } catch let error as FileReadError {
                let reason =
                    switch error {
                    case .failed(_, let systemError): systemError.description
                    case .tooLarge(_, let limit): "it is larger than \(limit) bytes"
                    }
                skipped.append("\(RegistryCredentialsError.unreadable(path: path, reason: reason)) It is skipped.")
            } catch {
                skipped.append("\(error) It is skipped.")
            }
        }
        return nil
    }
}
