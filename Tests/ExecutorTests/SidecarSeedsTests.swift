import EventLoop
import Testing

@testable import Executor

/// The decoders and URLs of EXECUTOR_SEED_SIDECAR, read as the original's Go structs read the same bodies.
struct SidecarSeedsTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func theMasterComesFromTheAgentsState() throws {
        let body = bytes(#"{"version":"1.11.0","hostname":"agent-1","master_hostname":"master-2","frameworks":[]}"#)
        #expect(try SidecarSeeds.masterHostname(fromAgentState: body) == "master-2")
    }

    @Test func anAgentWithoutAMasterGivesAnEmptyNameAndTheMasterURLFails() throws {
        #expect(try SidecarSeeds.masterHostname(fromAgentState: bytes(#"{"hostname":"a"}"#)) == "")
        #expect(try SidecarSeeds.masterHostname(fromAgentState: bytes("null")) == "")
        #expect(throws: SidecarSeeds.Failure.self) { try SidecarSeeds.slavesURL(masterHostname: "", port: "5050") }
    }

    @Test func theAgentsComeFromTheMastersSlavesInOrder() throws {
        let body = bytes(
            #"{"slaves":[{"id":"S0","hostname":"h1","port":5051},{"hostname":"h2"},{"id":"S2"},null],"recovered_slaves":[]}"#
        )
        let names = try SidecarSeeds.hostnames(fromSlaves: body)
        #expect(names == ["h1", "h2", "", ""])
        #expect(SidecarSeeds.variable(hostnames: names) == "SIDECAR_SEEDS=h1,h2,,")
        #expect(try SidecarSeeds.hostnames(fromSlaves: bytes("{}")) == [])
        #expect(SidecarSeeds.variable(hostnames: []) == "SIDECAR_SEEDS=")
    }

    @Test(arguments: [
        "", "<html>404</html>", "[]", #""text""#, #"{"master_hostname":7}"#, #"{"master_hostname":"m""#,
        #"{"master_hostname":["m"]}"#,
    ])
    func anAgentStateThatIsNotTheDocumentIsAnError(text: String) {
        #expect(throws: SidecarSeeds.Failure.self) { try SidecarSeeds.masterHostname(fromAgentState: Array(text.utf8)) }
    }

    @Test(arguments: [
        "", "Service Unavailable", #"{"slaves":{}}"#, #"{"slaves":[1]}"#, #"{"slaves":[{"hostname":5}]}"#,
        #"{"slaves":"h1,h2"}"#, "[]",
    ])
    func aSlavesListThatIsNotTheDocumentIsAnError(text: String) {
        #expect(throws: SidecarSeeds.Failure.self) { try SidecarSeeds.hostnames(fromSlaves: Array(text.utf8)) }
    }

    @Test func theURLsAreTheOriginals() throws {
        #expect(
            try SidecarSeeds.agentStateURL(agentEndpoint: "10.0.0.5:5051").description == "http://10.0.0.5:5051/state")
        #expect(
            try SidecarSeeds.slavesURL(masterHostname: "master-2", port: "5050").description
                == "http://master-2:5050/slaves")
        // An empty EXECUTOR_MESOS_MASTER_PORT leaves the port out, as the original did.
        #expect(
            try SidecarSeeds.slavesURL(masterHostname: "master-2", port: "").description == "http://master-2:80/slaves")
        // Not a port: the lookup fails (the original's GET failed the same way).
        #expect(throws: SidecarSeeds.Failure.self) { try SidecarSeeds.slavesURL(masterHostname: "m", port: "abc") }
    }
}
