import EventLoop

@testable import Executor

/// TaskInfo JSON for tests: a small valid Docker task, changed field by field.
enum TaskInfoFixture {
    static let sandbox = "/var/lib/mesos/slaves/ag-1/frameworks/fw-1/executors/exec-1/runs/r1"

    static let baseText = """
        {"name":"web","task_id":{"value":"task-1"},"agent_id":{"value":"ag-1"},
         "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.5}},
                      {"name":"mem","type":"SCALAR","scalar":{"value":256.0}},
                      {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31005,"end":31005}]}}],
         "executor":{"type":"CUSTOM","executor_id":{"value":"exec-1"},"framework_id":{"value":"fw-1"},
           "command":{"environment":{"variables":[{"name":"TASK_HOST","type":"VALUE","value":"host-1"}]},
                      "shell":true,"value":"/opt/swexec/bin/swexec"}},
         "container":{"type":"DOCKER","docker":{"image":"registry:5000/web:1.2","network":"BRIDGE"}}}
        """

    static var base: JSONValue { try! JSON.parse(baseText) }

    /// The base task with each `path` set to its value (nil removes the field).
    static func task(_ changes: [(String, JSONValue?)] = []) -> JSONValue {
        var json = base
        for (path, value) in changes { json[path: path] = value }
        return json
    }

    /// The base task with these Docker parameters.
    static func task(parameters: [(String, String)], _ changes: [(String, JSONValue?)] = []) -> JSONValue {
        let list = JSONValue.array(parameters.map { ["key": .string($0.0), "value": .string($0.1)] })
        return task([("container.docker.parameters", list)] + changes)
    }

    static let settings = ContainerSpec.Settings(hostCPUCount: 4, sandboxDirectory: sandbox)
}
