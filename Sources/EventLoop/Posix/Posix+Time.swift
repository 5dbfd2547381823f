// The wall clock.
import Glibc

private let sysClockGettime: @convention(c) (clockid_t, UnsafeMutablePointer<timespec>) -> Int32 = clock_gettime

extension Posix {
    /// Seconds since the Unix epoch, with sub-second precision. The corresponding C function is
    /// `clock_gettime(CLOCK_REALTIME)`.
    public static func wallClockSeconds() -> Double {
        var now = timespec()
        _ = sysClockGettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
    }
}
