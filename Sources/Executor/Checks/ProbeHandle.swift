/// One probe run in progress; after `cancel()` its completion never runs (a timeout abandons it).
protocol ProbeHandle: AnyObject {
    func cancel()
}

/// Runs the probes of one task's checks against its container. `ContainerProber` is the real one.
///
/// All calls and callbacks happen on the event loop; `completion` runs once, unless the handle is cancelled.
protocol ContainerProbing: AnyObject {
    func run(_ probe: CheckProbe, timeout: Duration?, completion: @escaping (ProbeOutcome) -> Void)
        -> any ProbeHandle
    /// Releases what the prober holds (the namespace descriptors); nothing runs afterwards.
    func close()
}
