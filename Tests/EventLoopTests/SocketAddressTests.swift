import Testing

@testable import EventLoop

struct SocketAddressTests {
    @Test func parsesNumericIPv4AndIPv6HostsWithoutALookup() throws {
        let v4 = try #require(SocketAddress(numericHost: "10.0.0.5", port: 5051))
        #expect(v4.family == .ipv4)
        #expect(v4.bytes == [10, 0, 0, 5])
        #expect(v4.port == 5051)
        #expect(v4.description == "10.0.0.5:5051")
        let v6 = try #require(SocketAddress(numericHost: "::1", port: 80))
        #expect(v6 == .ipv6Loopback(port: 80))
        #expect(v6.description == "[::1]:80")
        #expect(SocketAddress(numericHost: "[fe80::1:2]", port: 1)?.description == "[fe80::1:2]:1")
    }

    @Test func namesAndMalformedAddressesAreNotNumeric() {
        for host in ["localhost", "docker", "10.0.0", "10.0.0.256", "1.2.3.4.5", "::g", "[::1", ""] {
            #expect(SocketAddress(numericHost: host, port: 1) == nil, "\(host)")
        }
    }

    @Test func unixPathsMustFitSockaddrUn() {
        #expect(SocketAddress(unixPath: "/var/run/docker.sock")?.description == "unix:/var/run/docker.sock")
        #expect(SocketAddress(unixPath: "/" + String(repeating: "a", count: Posix.maxUnixPathLength - 1)) != nil)
        #expect(SocketAddress(unixPath: "/" + String(repeating: "a", count: Posix.maxUnixPathLength)) == nil)
        #expect(SocketAddress(unixPath: "") == nil)
        #expect(SocketAddress(unixPath: "/tmp/a\u{0}b") == nil)
        #expect(Posix.maxUnixPathLength == 107)
    }

    @Test func rawByteInitializersCheckTheLength() {
        #expect(SocketAddress(ipv4: [127, 0, 0, 1], port: 9) == .ipv4Loopback(port: 9))
        #expect(SocketAddress(ipv4: [127, 0, 1], port: 9) == nil)
        #expect(SocketAddress(ipv6: [UInt8](repeating: 0, count: 15), port: 9) == nil)
        #expect(SocketAddress(ipv6: [UInt8](repeating: 0, count: 16), port: 9)?.description == "[::]:9")
    }
}
