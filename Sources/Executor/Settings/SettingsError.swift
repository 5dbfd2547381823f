/// Everything wrong with the executor's environment, reported at once so an operator fixes it in one go.
///
/// The executor prints the description and exits with status 1.
struct SettingsError: Error, Equatable, CustomStringConvertible {
    /// One sentence per problem, each naming the variable (and its value, unless the value is a secret).
    var problems: [String]

    init(problems: [String]) {
        self.problems = problems
    }

    var description: String {
        if problems.count == 1 {
            return "Invalid configuration: \(problems[0])"
        }
        return "Invalid configuration (\(problems.count) problems):\n"
            + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
