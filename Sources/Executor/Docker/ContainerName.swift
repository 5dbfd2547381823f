/// The container's name: `mesos-` + the RFC 4122 version-5 UUID of the task id in the nil namespace.
///
/// This is the original executor's name, kept so that operators' tooling (and `docker ps` habits) keep working, and
/// it is deterministic: a relaunched executor finds the container of the same task id.
enum ContainerName {
    static func forTask(id taskID: String) -> String {
        "mesos-" + uuidV5(namespace: [UInt8](repeating: 0, count: 16), name: Array(taskID.utf8))
    }

    /// The text form of the name-based (SHA-1) UUID of `name` in `namespace`.
    static func uuidV5(namespace: [UInt8], name: [UInt8]) -> String {
        var bytes = Array(SHA1.digest(namespace + name).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hexDigits = Array("0123456789abcdef")
        var text = ""
        for (index, byte) in bytes.enumerated() {
            if [4, 6, 8, 10].contains(index) { text.append("-") }
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return text
    }
}
