import Testing

@testable import Executor

struct ContainerNameTests {
    // Expected values computed with Python's uuid.uuid5(uuid.UUID(int=0), name), which is what the original uses.
    @Test(arguments: [
        ("task-1", "mesos-491f4d69-d3cd-5c35-8b89-71bfec60409e"),
        ("web.5d1c0f7e-1a2b-11ef-9c3a-0242ac110002", "mesos-373a8771-32b1-5667-9771-493d6d5b5aa3"),
        ("", "mesos-e129f27c-5103-5c5c-844b-cdf0a15e160d"),
    ])
    func namesAreTheOriginalsUUIDv5OfTheTaskID(taskID: String, name: String) {
        #expect(ContainerName.forTask(id: taskID) == name)
    }
}
