import EventLoop
import Foundation
import Simulators

// The demo: one real task through the real executor binary, started the way Mesos starts it (executor.sh), against
// the simulated Mesos agent, a simulated Sidecar and the project's private Docker engine. `scripts/demo.sh` builds
// the binaries and starts the engine, then runs this.

let started = ContinuousClock.now
let settings = DemoSettings.fromEnvironment()
let console = DemoConsole()

do {
    try DemoRun(settings: settings, console: console).run()
    console.headline("demo finished in \(console.elapsed(since: started)): the task ran, answered, and was killed")
} catch {
    console.failure("\(error)")
    exit(1)
}
