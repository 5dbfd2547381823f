import Testing

@testable import Executor

struct AgentConnectionStateTests {
    private func subscribed(checkpoint: Bool) -> AgentConnectionState {
        var state = AgentConnectionState(checkpoint: checkpoint)
        _ = state.handle(.start)
        _ = state.handle(.subscribeAnswered(status: 200))
        _ = state.handle(.subscribedReceived)
        return state
    }

    @Test func startSubscribesAndOpensTheRecoveryWindowOnlyWhenCheckpointing() {
        var checkpointing = AgentConnectionState(checkpoint: true)
        #expect(checkpointing.handle(.start) == [.startRecoveryTimer, .sendSubscribe])
        var plain = AgentConnectionState(checkpoint: false)
        #expect(plain.handle(.start) == [.sendSubscribe])
        #expect(plain.phase == .connecting)
    }

    @Test func subscribedClosesTheRecoveryWindow() {
        var state = AgentConnectionState(checkpoint: true)
        _ = state.handle(.start)
        #expect(state.handle(.subscribeAnswered(status: 200)) == [])
        #expect(state.phase == .subscribing)
        #expect(state.handle(.subscribedReceived) == [.cancelRecoveryTimer, .didSubscribe])
        #expect(state.phase == .subscribed)
        #expect(!state.isRecovering)
    }

    @Test func subscribeAnswered503Or404IsRetriedSoonCountingTheFailures() {
        for status in [503, 404] {
            for checkpoint in [true, false] {
                var state = AgentConnectionState(checkpoint: checkpoint)
                _ = state.handle(.start)
                #expect(
                    state.handle(.subscribeAnswered(status: status))
                        == [.closeConnections, .scheduleReconnect(failures: 1)])
                #expect(state.handle(.reconnectTimerFired) == [.sendSubscribe])
                #expect(
                    state.handle(.subscribeAnswered(status: status))
                        == [.closeConnections, .scheduleReconnect(failures: 2)])
                #expect(state.phase == .waitingToReconnect)
            }
        }
    }

    @Test func aDisconnectWithCheckpointingReconnectsCountingTheFailuresUntilSubscribed() {
        var state = subscribed(checkpoint: true)
        #expect(
            state.handle(.disconnected(reason: "EOF"))
                == [.closeConnections, .startRecoveryTimer, .scheduleReconnect(failures: 1)])
        #expect(state.handle(.reconnectTimerFired) == [.sendSubscribe])
        // A second failure keeps the window that is already open.
        #expect(
            state.handle(.disconnected(reason: "refused")) == [.closeConnections, .scheduleReconnect(failures: 2)])
        #expect(state.handle(.reconnectTimerFired) == [.sendSubscribe])
        _ = state.handle(.subscribeAnswered(status: 200))
        #expect(state.handle(.subscribedReceived) == [.cancelRecoveryTimer, .didSubscribe])
        #expect(state.failures == 0)
        // The count starts again after a subscription.
        #expect(
            state.handle(.disconnected(reason: "EOF"))
                == [.closeConnections, .startRecoveryTimer, .scheduleReconnect(failures: 1)])
    }

    @Test func theRecoveryTimeoutGivesUp() {
        var state = subscribed(checkpoint: true)
        _ = state.handle(.disconnected(reason: "EOF"))
        let actions = state.handle(.recoveryTimerFired)
        #expect(actions.first == .cancelReconnectTimer)
        guard case .giveUp(let reason) = actions.last else {
            Issue.record("no giveUp in \(actions)")
            return
        }
        #expect(reason.contains("recovery timeout"))
        #expect(state.phase == .gaveUp)
        #expect(state.handle(.reconnectTimerFired) == [])
    }

    @Test func aDisconnectWithoutCheckpointingGivesUpAtOnce() {
        var state = subscribed(checkpoint: false)
        let actions = state.handle(.disconnected(reason: "the stream ended"))
        #expect(actions.count == 2)
        guard case .giveUp(let reason) = actions.last else {
            Issue.record("no giveUp in \(actions)")
            return
        }
        #expect(reason.contains("the stream ended"))
        #expect(state.phase == .gaveUp)
    }

    @Test func aSubscribeRefused401Or403GivesUpAtOnceClosingTheRecoveryWindow() {
        for status in [401, 403] {
            var state = AgentConnectionState(checkpoint: true)
            _ = state.handle(.start)
            let actions = state.handle(.subscribeAnswered(status: status))
            #expect(actions.first == .cancelRecoveryTimer)
            #expect(actions.dropFirst().first == .closeConnections)
            guard case .giveUp(let reason) = actions.last else {
                Issue.record("\(actions)")
                continue
            }
            #expect(reason.contains("refused") && reason.contains("\(status)"))
            #expect(state.phase == .gaveUp)
            #expect(state.handle(.recoveryTimerFired) == [])
        }
    }

    @Test func otherSubscribeAnswersAreDisconnects() {
        var state = AgentConnectionState(checkpoint: true)
        _ = state.handle(.start)
        #expect(
            state.handle(.subscribeAnswered(status: 400)) == [.closeConnections, .scheduleReconnect(failures: 1)])
    }

    @Test func staleEventsAreIgnored() {
        var state = subscribed(checkpoint: true)
        #expect(state.handle(.reconnectTimerFired) == [])
        #expect(state.handle(.recoveryTimerFired) == [])
        #expect(state.handle(.subscribeAnswered(status: 200)) == [])
        #expect(state.handle(.start) == [])
        _ = state.handle(.disconnected(reason: "EOF"))
        #expect(state.handle(.disconnected(reason: "EOF again")) == [])
        #expect(state.handle(.subscribedReceived) == [])
    }

    @Test func stopEndsEverythingOnce() {
        var state = subscribed(checkpoint: true)
        #expect(state.handle(.stop) == [.cancelReconnectTimer, .cancelRecoveryTimer, .closeConnections])
        #expect(state.handle(.stop) == [])
        #expect(state.handle(.disconnected(reason: "late")) == [])
        #expect(state.phase == .stopped)
    }
}
