/// Where a task's status updates go: the Mesos agent connection in executor mode, JSON lines on stdout in
/// `run-task` mode, a recorder in tests. Called on the event loop; updates of one task arrive in order and the
/// reporter must keep that order.
protocol StatusReporter: AnyObject {
    func report(_ update: TaskStatusUpdate)
}
