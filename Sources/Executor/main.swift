import EventLoop

let usage = """
    sidecar-executor \(executorVersion): a Mesos executor that runs each task as a Docker container
    and fails it fast when Sidecar finds its service unhealthy.

    Usage:
      sidecar-executor            run as a Mesos executor (started by the agent through executor.sh)
      sidecar-executor --help     print this text
      sidecar-executor --version  print the version

    """

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "--help", "-h":
    print(usage, terminator: "")
case "--version":
    print("sidecar-executor \(executorVersion)")
case nil:
    print("sidecar-executor: the executor is not implemented yet; see --help")
default:
    print("sidecar-executor: unknown argument '\(arguments[0])'; see --help")
}
