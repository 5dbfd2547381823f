import Testing

@testable import Executor

struct ImageReferenceTests {
    struct Row: Sendable, CustomStringConvertible {
        var text: String
        var registry: String
        var repository: String
        var name: String
        var tag: String?
        var digest: String?
        var version: String
        var description: String { text }
    }

    static let digest = "sha256:92a7c0e0f1d2b3a4958677869fa0b1c2d3e4f5061728394a5b6c7d8e9f0a1b2c"

    static let rows: [Row] = [
        Row(
            text: "busybox", registry: "docker.io", repository: "library/busybox", name: "busybox", version: "latest"),
        Row(
            text: "nginx:1.25", registry: "docker.io", repository: "library/nginx", name: "nginx", tag: "1.25",
            version: "1.25"),
        Row(
            text: "local/busybox:latest", registry: "docker.io", repository: "local/busybox", name: "local/busybox",
            tag: "latest", version: "latest"),
        Row(
            text: "registry:5000/img:tag", registry: "registry:5000", repository: "img", name: "registry:5000/img",
            tag: "tag", version: "tag"),
        Row(
            text: "127.0.0.1:5000/test/busybox:1", registry: "127.0.0.1:5000", repository: "test/busybox",
            name: "127.0.0.1:5000/test/busybox", tag: "1", version: "1"),
        Row(
            text: "registry:5000/img", registry: "registry:5000", repository: "img", name: "registry:5000/img",
            version: "latest"),
        Row(
            text: "localhost/app:v2", registry: "localhost", repository: "app", name: "localhost/app", tag: "v2",
            version: "v2"),
        Row(
            text: "quay.io/org/sub/app_x__y.z-w:v1.0-rc_1", registry: "quay.io", repository: "org/sub/app_x__y.z-w",
            name: "quay.io/org/sub/app_x__y.z-w", tag: "v1.0-rc_1", version: "v1.0-rc_1"),
        Row(
            text: "img@\(digest)", registry: "docker.io", repository: "library/img", name: "img", digest: digest,
            version: digest),
        Row(
            text: "registry:5000/img:tag@\(digest)", registry: "registry:5000", repository: "img",
            name: "registry:5000/img", tag: "tag", digest: digest, version: "tag"),
    ]

    @Test(arguments: rows)
    func splitsLikeTheDockerCLI(row: Row) throws {
        let reference = try ImageReference(parsing: row.text)
        #expect(reference.registry == row.registry)
        #expect(reference.repository == row.repository)
        #expect(reference.name == row.name)
        #expect(reference.tag == row.tag)
        #expect(reference.digest == row.digest)
        #expect(reference.version == row.version)
        #expect(reference.description == row.text)
    }

    @Test func pullsByDigestWhenOneIsGivenElseByTagElseLatest() throws {
        #expect(try ImageReference(parsing: "img@\(Self.digest)").pullTag == Self.digest)
        #expect(try ImageReference(parsing: "img:3").pullTag == "3")
        #expect(try ImageReference(parsing: "img").pullTag == "latest")
    }

    @Test func dockerHubImagesUseTheIndexCredentialKey() throws {
        #expect(try ImageReference(parsing: "org/app:1").credentialServerAddress == "https://index.docker.io/v1/")
        #expect(try ImageReference(parsing: "reg.example.com/app").credentialServerAddress == "reg.example.com")
    }

    @Test(arguments: [
        ("", ImageReferenceError.empty),
        ("bad image", .invalidCharacter("bad image", scalar: 0x20)),
        ("caf\u{e9}", .invalidCharacter("caf\u{e9}", scalar: 0xE9)),
        ("Upper", .invalidName("Upper")),
        ("org/Upper", .invalidName("org/Upper")),
        ("org//app", .invalidName("org//app")),
        ("-app", .invalidName("-app")),
        ("app.", .invalidName("app.")),
        ("a...b", .invalidName("a...b")),
        ("reg:99999/app", .invalidName("reg:99999/app")),
        ("reg:x/app", .invalidName("reg:x/app")),
        ("app:", .invalidTag("app:")),
        ("app:-x", .invalidTag("app:-x")),
        ("app:a/b", .invalidName("app:a/b")),
        ("app@sha256:abc", .invalidDigest("app@sha256:abc")),
        ("app@\(digest.dropFirst(7))", .invalidDigest("app@\(digest.dropFirst(7))")),
        (":tag", .invalidName(":tag")),
    ])
    func rejectsWhatDockerRejects(text: String, error: ImageReferenceError) {
        #expect(throws: error) { try ImageReference(parsing: text) }
    }

    @Test func aTooLongNameIsRejected() {
        let text = String(repeating: "a", count: ImageReference.maxNameLength + 1)
        #expect(throws: ImageReferenceError.invalidName(text)) { try ImageReference(parsing: text) }
    }

    @Test func errorDescriptionsNameTheReference() {
        #expect(
            ImageReferenceError.invalidTag("app:").description
                == "The image reference 'app:' has an invalid tag (at most 128 letters, digits, '_', '.' or '-').")
        #expect(
            ImageReferenceError.invalidCharacter("a b", scalar: 0x20).description
                == "The image reference \"a b\" contains the character U+0020, which Docker does not allow.")
    }
}
