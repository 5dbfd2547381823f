/// Carries a loop-confined value (typically a non-Sendable callback) through a `@Sendable` closure that
/// runs on the same loop, such as `EventLoop.execute` or a timer.
///
/// Sound because the value is only created and read on the loop queue, which `assertOnLoop` checks in
/// debug builds on both ends.
public struct LoopBound<Value>: @unchecked Sendable {
    private let storage: Value
    public let loop: EventLoop

    /// Wraps `value`; call on the loop.
    public init(_ value: Value, loop: EventLoop) {
        loop.assertOnLoop()
        self.storage = value
        self.loop = loop
    }

    /// The value; read it on the loop.
    public var value: Value {
        loop.assertOnLoop()
        return storage
    }
}
