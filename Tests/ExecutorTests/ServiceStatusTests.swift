import Testing

@testable import Executor

struct ServiceStatusTests {
    @Test func sidecarNumbersMapToTheirStatuses() {
        let statuses = (0...4).map(ServiceStatus.init(rawValue:))
        #expect(statuses == [.alive, .tombstone, .unhealthy, .unknown, .draining])
        #expect(ServiceStatus(rawValue: 9) == .other(9))
        #expect(ServiceStatus(rawValue: -1) == .other(-1))
    }

    @Test func rawValuesRoundTrip() {
        for number in -3...12 {
            #expect(ServiceStatus(rawValue: number).rawValue == number)
        }
    }

    @Test func onlyUnhealthyAndTombstoneAreFailures() {
        let failures = (-1...8).map(ServiceStatus.init(rawValue:)).filter(\.isFailure)
        #expect(failures == [.tombstone, .unhealthy])
    }

    @Test func namesAreSidecarsUpperCaseNames() {
        #expect(ServiceStatus.alive.description == "ALIVE")
        #expect(ServiceStatus.tombstone.description == "TOMBSTONE")
        #expect(ServiceStatus.unhealthy.description == "UNHEALTHY")
        #expect(ServiceStatus.unknown.description == "UNKNOWN")
        #expect(ServiceStatus.draining.description == "DRAINING")
        #expect(ServiceStatus.other(7).description == "status 7")
    }
}
