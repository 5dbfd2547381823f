import Dispatch

/// Readiness notifications for one file descriptor, delivered on the loop by DispatchSources, and the
/// descriptor's orderly release.
///
/// Confined to the loop queue. The read source exists once `startReading()` was called; the write source is
/// created the first time write readiness is wanted and is RESUMED ONLY WHILE it is wanted (data waits or a
/// connect is pending), suspended otherwise, so an idle socket causes no wake-ups. `close(then:)` cancels
/// every source and closes the descriptor in the last cancel handler: closing earlier would let the kernel
/// hand the number to a new socket while a source still watched it.
final class FileDescriptorWatcher: @unchecked Sendable {
    // @unchecked: every mutable property is only touched on the loop queue.

    let fileDescriptor: Int32
    private let loop: EventLoop
    private var readSource: (any DispatchSourceRead)?
    private var writeSource: (any DispatchSourceWrite)?
    /// Whether the write source currently delivers events (resumed) rather than being suspended.
    private(set) var isWriteSourceResumed = false
    /// Sources created and not yet through their cancel handler.
    private var liveSources = 0
    private var closeCompletion: (() -> Void)?
    /// True from `close(then:)` on; no readiness callback runs after that.
    private(set) var isClosing = false
    /// True once the descriptor itself has been closed.
    private(set) var isClosed = false

    /// Called on the loop when the descriptor is readable (data, end of file or an error).
    var onReadable: (() -> Void)?
    /// Called on the loop when the descriptor is writable (or failed) while write interest is on.
    var onWritable: (() -> Void)?

    /// Takes ownership of `fileDescriptor`: it is closed by `close(then:)` (or on deinit if never watched).
    init(fileDescriptor: Int32, loop: EventLoop) {
        self.fileDescriptor = fileDescriptor
        self.loop = loop
    }

    deinit {
        // Live sources retain the watcher through their handlers, so reaching here without `close` means
        // no source was ever created and the descriptor can be released directly.
        if !isClosed { Posix.close(fileDescriptor) }
    }

    /// Starts delivering read readiness to `onReadable`. Idempotent.
    func startReading() {
        loop.assertOnLoop()
        guard !isClosing, readSource == nil else { return }
        let source = DispatchSource.makeReadSource(fileDescriptor: fileDescriptor, queue: loop.queue)
        source.setEventHandler { [self] in
            if !isClosing { onReadable?() }
        }
        source.setCancelHandler { [self] in sourceCancelled() }
        liveSources += 1
        readSource = source
        source.activate()
    }

    /// Turns write readiness delivery on (resume) or off (suspend).
    func setWriteInterest(_ wanted: Bool) {
        loop.assertOnLoop()
        guard !isClosing, wanted != isWriteSourceResumed else { return }
        isWriteSourceResumed = wanted
        if !wanted {
            writeSource?.suspend()
        } else if let writeSource {
            writeSource.resume()
        } else {
            let source = DispatchSource.makeWriteSource(fileDescriptor: fileDescriptor, queue: loop.queue)
            source.setEventHandler { [self] in
                if !isClosing && isWriteSourceResumed { onWritable?() }
            }
            source.setCancelHandler { [self] in sourceCancelled() }
            liveSources += 1
            writeSource = source
            source.activate()
        }
    }

    /// Stops all notifications at once and closes the descriptor once every source has been cancelled, then
    /// calls `completion` on the loop (always asynchronously). Idempotent: later calls are ignored.
    func close(then completion: @escaping () -> Void) {
        loop.assertOnLoop()
        guard !isClosing else { return }
        isClosing = true
        // The callbacks usually capture the owner, which holds the watcher: drop them to break the cycle.
        onReadable = nil
        onWritable = nil
        closeCompletion = completion
        guard liveSources > 0 else {
            loop.execute { [self] in finishClose() }
            return
        }
        readSource?.cancel()
        if let writeSource {
            // Dispatch traps when a suspended source is released, and never runs a suspended source's cancel
            // handler, so resume it before cancelling. Both happen in this turn of the serial loop queue, so
            // its event handler cannot run in between (and it checks `isClosing` besides).
            if !isWriteSourceResumed {
                isWriteSourceResumed = true
                writeSource.resume()
            }
            writeSource.cancel()
        }
    }

    private func sourceCancelled() {
        liveSources -= 1
        if liveSources == 0 { finishClose() }
    }

    private func finishClose() {
        // No source watches the descriptor any more: now its number may be reused.
        isClosed = true
        Posix.close(fileDescriptor)
        readSource = nil
        writeSource = nil
        let completion = closeCompletion
        closeCompletion = nil
        completion?()
    }
}
