import Simulators
import Testing

struct SimulatorsModuleTests {
    @Test func moduleLinks() {
        #expect(String(describing: Simulators.self) == "Simulators")
    }
}
