/// Writes to one of the process's output descriptors (stdout, stderr) from the event loop without ever waiting for
/// the reader, through a bounded `OutputLineQueue`: when the reader is slower than the output, whole lines are
/// dropped and counted, never the loop stalled.
///
/// The descriptor's open file description is NOT made nonblocking. Descriptors 1 and 2 come from whoever started
/// the process (the Mesos agent's log pipe or sandbox file, a terminal, a test harness) and may be shared with other
/// processes; O_NONBLOCK is a property of the shared description, so setting it would change the behaviour of every
/// other process writing (or, for a terminal, reading) through it, and would outlive this process. Instead, how to
/// write without waiting is chosen by the kind of file:
/// - a pipe or terminal is written only when `poll` says it has room, at most PIPE_BUF bytes at a time: a write
///   that small into a pipe with a free slot completes at once even on a blocking descriptor;
/// - a stream socket is written with `send(MSG_DONTWAIT)`, which never waits, whatever the description's flags;
/// - a regular file (the agent's default sandbox `stdout`/`stderr`) or another device is written directly: no
///   reader can hold such a write back.
/// When the descriptor has no room, a write source (on a duplicate of the descriptor) wakes the writer once it has.
///
/// Confined to the loop, except `flushBeforeExit`, which the exiting thread calls.
public final class OutputWriter: @unchecked Sendable {
    // @unchecked: state is touched on the loop only (and by the final flush, after which nothing runs).

    public let fileDescriptor: Int32
    public let kind: OutputKind
    private let loop: EventLoop
    private var queue: OutputLineQueue
    private var watcher: FileDescriptorWatcher?
    private var isWaiting = false
    private var isBroken = false
    /// Dropped lines not yet reported; reported once the queue drains.
    private var unreported = 0
    /// Lines dropped over the writer's life.
    public private(set) var totalDropped = 0

    /// Called on the loop when lines start to be dropped (`true`) and when the reader caught up again (`false`),
    /// with the count of lines dropped in between. Left nil, drops are only counted.
    public var onDrops: ((_ started: Bool, _ count: Int) -> Void)?

    public init(fileDescriptor: Int32, loop: EventLoop, queue: OutputLineQueue = OutputLineQueue()) {
        self.fileDescriptor = fileDescriptor
        self.kind = Posix.outputKind(fileDescriptor)
        self.loop = loop
        self.queue = queue
    }

    /// Bytes waiting for the reader.
    public var queuedBytes: Int { queue.count }

    /// Queues `bytes` (as much as the rules of `OutputLineQueue` admit) and writes what the descriptor takes now.
    public func write(_ bytes: some Collection<UInt8>, from origin: OutputLineQueue.Origin) {
        guard !isBroken else { return }
        queue.append(bytes, from: origin)
        noteDrops()
        if !isWaiting { drain() }
    }

    /// Queues `text` as one of the program's own lines.
    public func write(line text: String) {
        write(Array(text.utf8), from: .program)
    }

    private func noteDrops() {
        let dropped = queue.takeDropped()
        guard dropped > 0 else { return }
        if unreported == 0 { onDrops?(true, 0) }
        unreported += dropped
        totalDropped += dropped
    }

    /// Writes until the queue is empty or the descriptor has no room (then waits for the write source).
    private func drain() {
        while !queue.isEmpty && !isBroken {
            switch writeSome() {
            case .some(true): continue
            case .some(false): return waitForRoom()
            case nil: break
            }
        }
        stopWaiting()
        if unreported > 0 && queue.isEmpty {
            let count = unreported
            unreported = 0
            onDrops?(false, count)
        }
    }

    /// One write: true when bytes went out, false when the descriptor has no room, nil when it is broken.
    private func writeSome() -> Bool? {
        let limit: Int
        switch kind {
        case .pipe, .terminal:
            guard Posix.isWritableNow(fileDescriptor) else { return false }
            limit = Posix.pipeAtomicWrite
        case .socket, .file, .device, .closed:
            limit = 64 * 1024
        }
        var chunk = queue.bytes.prefix(limit)
        // A chunk ends at a line's end when it can, so wherever writing stops (the final flush giving up), the
        // reader has whole lines.
        if chunk.count < queue.count, let newline = chunk.lastIndex(of: UInt8(ascii: "\n")) {
            chunk = chunk[...newline]
        }
        let outcome = chunk.withUnsafeBytes { buffer in
            Result { () throws(SystemError) in
                kind == .socket
                    ? try Posix.sendWithoutWaiting(fileDescriptor, buffer) : try Posix.writeOnce(fileDescriptor, buffer)
            }
        }
        switch outcome {
        case .success(.processed(let written)):
            queue.consume(written)
            return true
        case .success(.wouldBlock):
            return false
        case .failure:
            // The reader is gone (EPIPE) or the descriptor closed: nothing can be written any more, and logging it
            // would only add to the pile. What waits is dropped and counted.
            isBroken = true
            queue.discardAll()
            totalDropped += queue.takeDropped()
            return nil
        }
    }

    private func waitForRoom() {
        guard !isWaiting else { return }
        if watcher == nil {
            guard let duplicate = try? Posix.duplicate(fileDescriptor) else { return }
            let created = FileDescriptorWatcher(fileDescriptor: duplicate, loop: loop)
            created.onWritable = { [weak self] in self?.drain() }
            watcher = created
        }
        do throws(SystemError) {
            try watcher?.setWriteInterest(true)
            isWaiting = true
        } catch {
            // No descriptor left for the write source: the next write tries again.
        }
    }

    private func stopWaiting() {
        guard isWaiting else { return }
        isWaiting = false
        try? watcher?.setWriteInterest(false)
    }

    /// Takes the count of dropped lines not reported yet through `onDrops` (for the report at exit).
    public func takeUnreportedDrops() -> Int {
        defer { unreported = 0 }
        return unreported
    }

    /// The last chance for what waits, when the process exits: waits at most `milliseconds` in all for the reader.
    /// Blocking, so only for the moment the loop has nothing left to do.
    public func flushBeforeExit(milliseconds: Int32 = 1000) {
        var left = milliseconds
        while !queue.isEmpty && !isBroken {
            if writeSome() == false {
                guard left > 0 else { return }
                let slice = min(left, 50)
                _ = Posix.waitUntilWritable(fileDescriptor, milliseconds: slice)
                left -= slice
            }
        }
    }
}
