/// Everything wrong with the executor's environment, reported at once so an operator fixes it in one pass.
///
/// The executor prints `description` and exits with status 1. A problem names its variable and never quotes the
/// value of a secret (the agent's authentication token).
struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// One variable that is missing or malformed.
    struct Problem: Equatable, Sendable, CustomStringConvertible {
        /// The environment variable, e.g. `MESOS_FRAMEWORK_ID`.
        var variable: String
        /// What is wrong with it, as a clause: "is missing", "is not a Mesos duration: ...".
        var issue: String

        var description: String { "\(variable) \(issue)" }
    }

    var problems: [Problem]

    var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "The executor's environment has \(count): "
            + problems.map(\.description).joined(separator: "; ") + "."
    }
}
