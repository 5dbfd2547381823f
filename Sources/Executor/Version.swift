/// The executor's version, printed by `--version`.
let executorVersion = "0.1.0"
