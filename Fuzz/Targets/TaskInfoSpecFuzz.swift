import EventLoop

@testable import Executor

// TaskInfo JSON → TaskInfo → the container spec (the create body sent to Docker). Invariants: no crash whatever
// the TaskInfo; a spec's body is a JSON object that survives a serialization round trip, names the parsed image,
// mounts the sandbox, and hides secret-looking environment values in its redacted (logged) form.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTaskInfoSpec(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzInput(data, count)
    guard let raw = try? JSON.parse(input) else { return 0 }
    _ = TaskInfo.taskID(in: raw)
    guard let task = try? TaskInfo.parse(raw) else { return 0 }
    // The option flags come from the input, so every combination is explored.
    let flags = input.count > 1 ? input[input.count / 2] : 0
    let settings = ContainerSpec.Settings(
        forceCPULimit: flags & 1 != 0, forceMemoryLimit: flags & 2 != 0, useCPUShares: flags & 4 != 0,
        hostCPUCount: Int(flags >> 4) + 1, sandboxDirectory: "/var/lib/mesos/sandbox",
        taskHost: flags & 8 != 0 ? "agent7.example" : nil)
    guard let spec = try? ContainerSpec.make(task: task, settings: settings) else { return 0 }
    fuzzCheck(spec.body.objectValue != nil, "the create body is not an object")
    fuzzCheck(spec.body["Image"]?.stringValue == spec.image.text, "the body does not name the image")
    let serialized = spec.body.serialized()
    fuzzCheck((try? JSON.parse(serialized)) == spec.body, "the create body does not survive a round trip")
    let sandboxBind = JSONValue.string("/var/lib/mesos/sandbox:\(ContainerSpec.sandboxMountPoint)")
    fuzzCheck(spec.body["HostConfig"]?["Binds"]?.arrayValue?.first == sandboxBind, "the sandbox is not mounted")
    let redacted = Redaction.createBody(spec.body)
    for entry in redacted["Env"]?.arrayValue ?? [] {
        guard let text = entry.stringValue, let equals = text.firstIndex(of: "=") else { continue }
        if Redaction.isSecretName(String(text[..<equals])) {
            fuzzCheck(text[text.index(after: equals)...] == Redaction.marker, "a secret value reaches the debug log")
        }
    }
    return 0
}
