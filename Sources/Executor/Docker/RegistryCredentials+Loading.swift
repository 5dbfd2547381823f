import EventLoop

extension RegistryCredentials {
    /// Docker config files larger than this are not a login list.
    static let maxFileBytes = 1 << 20

    /// The logins of the first Docker config file that exists, searched like the original executor:
    /// `$DOCKER_CONFIG/config.json`, `$HOME/.docker/config.json`, `$HOME/.dockercfg` (HOME defaults to /root).
    /// Returns the file used (nil when there is none: pulls are then anonymous).
    static func load(
        environment: [String: String],
        read: (String) throws(FileReadError) -> [UInt8]? = { path throws(FileReadError) in
            try FileReader.read(path, maxBytes: RegistryCredentials.maxFileBytes)
        }
    ) throws(RegistryCredentialsError) -> (credentials: RegistryCredentials, path: String?) {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/root"
        var candidates: [(String, Format)] = []
        if let directory = environment["DOCKER_CONFIG"], !directory.isEmpty {
            candidates.append(("\(directory)/config.json", .configJSON))
        }
        candidates += [("\(home)/.docker/config.json", .configJSON), ("\(home)/.dockercfg", .dockercfg)]
        for (path, format) in candidates {
            let bytes: [UInt8]?
            do {
                bytes = try read(path)
            } catch {
                switch error {
                case .failed(_, let systemError): throw .unreadable(path: path, reason: systemError.description)
                case .tooLarge(_, let limit): throw .unreadable(path: path, reason: "it is larger than \(limit) bytes")
                }
            }
            guard let bytes else { continue }
            return (try parse(bytes, format: format, path: path), path)
        }
        return (RegistryCredentials(), nil)
    }
}
