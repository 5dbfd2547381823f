import EventLoop

// The command line. Everything else starts from here: see Program/.
// Before any thread exists: one malloc arena for all of them and a fixed mmap threshold (hundreds of executors per
// host; see ProcessControl).
ProcessControl.configureMalloc()
let arguments = Array(CommandLine.arguments.dropFirst())
Program.configureLogging()

switch arguments.first {
case "--help", "-h":
    print(Program.usage, terminator: "")
case "--version":
    print("sidecar-executor \(executorVersion)")
case "run-task":
    guard arguments.count == 2 else {
        StandardStreams.write("usage: sidecar-executor run-task FILE.json\n", to: .stderr)
        ProcessControl.exit(2)
    }
    RunTaskMode.run(file: arguments[1], environment: ProcessEnvironment.current())
case let argument? where !Program.isLegacyWrapperArgument(argument):
    StandardStreams.write("sidecar-executor: unknown argument '\(argument)'; see --help\n", to: .stderr)
    ProcessControl.exit(2)
default:
    ExecutorMode.run(environment: ProcessEnvironment.current())
}
