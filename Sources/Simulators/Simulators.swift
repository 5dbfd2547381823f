/// Simulated peers for tests, the demo and the benchmarks. See the types in this module.
public enum Simulators {}
