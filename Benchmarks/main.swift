// Benchmarks: `swift run -c release Benchmarks <name>`. Figures are printed, never asserted.
let arguments = Array(CommandLine.arguments.dropFirst())
print("usage: Benchmarks <name>; no benchmarks yet (\(arguments))")
