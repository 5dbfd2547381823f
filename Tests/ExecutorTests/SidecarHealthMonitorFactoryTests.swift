import Testing

@testable import Executor

struct SidecarHealthMonitorFactoryTests {
    @Test func goParseBoolAcceptsExactlyItsSpellings() {
        for text in ["1", "t", "T", "TRUE", "true", "True"] {
            #expect(SidecarDiscovery.parseGoBool(text) == true, "\(text)")
        }
        for text in ["0", "f", "F", "FALSE", "false", "False"] {
            #expect(SidecarDiscovery.parseGoBool(text) == false, "\(text)")
        }
        for text in ["", "no", "yes", "FaLsE", " false", "false ", "2", "off", "n"] {
            #expect(SidecarDiscovery.parseGoBool(text) == nil, "\(text.debugDescription)")
        }
    }

    @Test func sidecarIsOnUnlessTheLabelParsesAsFalse() {
        #expect(SidecarDiscovery.isEnabled(labels: [:]))
        #expect(SidecarDiscovery.isEnabled(labels: ["ServiceName": "web"]))
        #expect(SidecarDiscovery.isEnabled(labels: ["SidecarDiscover": "true"]))
        #expect(SidecarDiscovery.isEnabled(labels: ["SidecarDiscover": "no"]))
        #expect(SidecarDiscovery.isEnabled(labels: ["sidecardiscover": "false"]))
        #expect(!SidecarDiscovery.isEnabled(labels: ["SidecarDiscover": "false"]))
        #expect(!SidecarDiscovery.isEnabled(labels: ["SidecarDiscover": "0"]))
        #expect(!SidecarDiscovery.isEnabled(labels: ["SidecarDiscover": "F"]))
    }

    @Test func sidecarDiscoverFalseGivesNoHealthCheckingAndNeverBuildsAClient() {
        let harness = LoopHarness()
        let recorder = SidecarRecorder()
        var built = 0
        let checking = makeHealthChecking(
            for: ["SidecarDiscover": "false"], settings: ExecutorSettings(), loop: harness.loop,
            logger: recorder.logger
        ) {
            built += 1
            return FakeHealthSource(loop: harness.loop)
        }
        #expect(checking is NoHealthChecking)
        #expect(built == 0)
        #expect(recorder.logCount(containing: "off for this task (label SidecarDiscover=false)") == 1)
    }

    @Test func otherwiseTheSidecarMonitorIsUsed() {
        let harness = LoopHarness()
        var built = 0
        let checking = makeHealthChecking(
            for: ["SidecarDiscover": "maybe"], settings: ExecutorSettings(), loop: harness.loop
        ) {
            built += 1
            return FakeHealthSource(loop: harness.loop)
        }
        #expect(checking is SidecarHealthMonitor)
        #expect(built == 1)
    }
}
