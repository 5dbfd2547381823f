/// Feeds a state machine its events one at a time, in order, even when performing the actions of one event raises
/// another (a fake engine answering synchronously, a report that loops back): the later event waits until the earlier
/// one's actions are done, so a machine never re-enters itself mid-transition.
///
/// A class, not a struct: the handler raises events into the same funnel while it drains, which a mutating method on
/// a value could not allow. Confined to the owner's loop.
final class EventFunnel<Event> {
    private var pending: [Event] = []
    /// A drain is under way: an event submitted now waits in the queue.
    private(set) var isDraining = false

    /// Queues `event`; unless a drain is already under way further up the stack, hands it and every event queued
    /// meanwhile to `handle`, oldest first.
    func submit(_ event: Event, to handle: (Event) -> Void) {
        pending.append(event)
        guard !isDraining else { return }
        isDraining = true
        defer { isDraining = false }
        while !pending.isEmpty { handle(pending.removeFirst()) }
    }
}
