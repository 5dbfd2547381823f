/// The wall clock, for timestamps other systems read (Mesos `TaskStatus.timestamp`). It can jump; measure
/// durations with the monotonic `EventLoop.now` instead.
public enum WallClock {
    /// Seconds since the Unix epoch, with sub-second precision.
    public static func now() -> Double {
        Posix.wallClockSeconds()
    }
}
