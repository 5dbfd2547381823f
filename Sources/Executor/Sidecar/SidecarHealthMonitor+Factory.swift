import EventLoop

/// The health checking of a task: Sidecar's, unless the task's labels turn it off with `SidecarDiscover=false`.
///
/// The label is read as the original reads it, with Go's `strconv.ParseBool`: "1", "t", "T", "TRUE", "true",
/// "True", "0", "f", "F", "FALSE", "false" and "False"; an absent or unparsable value leaves Sidecar on.
/// Off means no backoff, no polls and no drain: `NoHealthChecking`.
/// - Parameters:
///   - taskLabels: the task's labels (Docker `label` parameters and TaskInfo labels).
///   - source: how to reach Sidecar (by default over HTTP at EXECUTOR_SIDECAR_URL); only evaluated when checking is on.
func makeHealthChecking(
    for taskLabels: [String: String],
    settings: ExecutorSettings,
    loop: EventLoop,
    logger: SidecarLogger = .executorLog,
    source: (() -> any HealthSource)? = nil
) -> any TaskHealthChecking {
    guard SidecarDiscovery.isEnabled(labels: taskLabels) else {
        logger.info("Sidecar health checking and draining are off for this task (label SidecarDiscover=false).")
        return NoHealthChecking()
    }
    let source =
        source?()
        ?? SidecarClient(
            loop: loop, settings: settings, serviceName: taskLabels[SidecarDiscovery.serviceNameLabel], logger: logger)
    return SidecarHealthMonitor(loop: loop, settings: settings, source: source, logger: logger)
}

/// The `SidecarDiscover` label, by which a task opts out of Sidecar (Sidecar then ignores its container too).
enum SidecarDiscovery {
    static let label = "SidecarDiscover"
    /// The label whose value Sidecar's Docker discovery lists the container's service under (its default
    /// `SERVICES_NAME_LABEL`); without it Sidecar uses the image, which the per-service endpoint cannot always carry.
    static let serviceNameLabel = "ServiceName"

    /// False only when the label parses as false.
    static func isEnabled(labels: [String: String]) -> Bool {
        guard let value = labels[label] else { return true }
        return parseGoBool(value) ?? true
    }

    /// Go's `strconv.ParseBool`: the exact spellings it accepts, nil for anything else.
    static func parseGoBool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": true
        case "0", "f", "F", "FALSE", "false", "False": false
        default: nil
        }
    }
}
