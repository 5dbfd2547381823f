/// A failed system call: the errno value and the operation that reported it.
public struct SystemError: Error, Equatable, Hashable, CustomStringConvertible {
    /// The errno value, e.g. `Posix.Errno.connectionRefused`.
    public let code: Int32
    /// The call that failed, e.g. "connect" or "read".
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// "connect failed: Connection refused (errno 111)".
    public var description: String {
        "\(operation) failed: \(Posix.errorMessage(code)) (errno \(code))"
    }
}
