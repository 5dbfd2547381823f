import Dispatch

/// Readiness notifications for one file descriptor, delivered on the loop by DispatchSources, and the
/// descriptor's orderly release.
///
/// Confined to the loop queue. The read source exists once `startReading()` was called; the write source is
/// created the first time write readiness is wanted and is RESUMED ONLY WHILE it is wanted (data waits or a
/// connect is pending), suspended otherwise, so an idle socket causes no wake-ups. `close(then:)` cancels
/// every source and closes the descriptor in the last cancel handler: closing earlier would let the kernel
/// hand the number to a new socket while a source still watched it.
///
/// The write source watches a duplicate of the descriptor (`dup`), never the descriptor itself: libdispatch's
/// epoll backend shares one registration between the read and write sources of a descriptor, and with both
/// on one number it was seen to lose events (a connect completion, a reset) in stress runs; with one source
/// per number it never did. The duplicate lives exactly as long as the write source.
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

    /// Turns write readiness delivery on (resume) or off (suspend). Throws only when the duplicate
    /// descriptor for a first write source cannot be made (descriptor limit reached).
    func setWriteInterest(_ wanted: Bool) throws(SystemError) {
        loop.assertOnLoop()
        guard !isClosing, wanted != isWriteSourceResumed else { return }
        if !wanted {
            writeSource?.suspend()
        } else if let writeSource {
            writeSource.resume()
        } else {
            let duplicate = try Posix.duplicate(fileDescriptor)
            let source = DispatchSource.makeWriteSource(fileDescriptor: duplicate, queue: loop.queue)
            source.setEventHandler { [self] in
                if !isClosing && isWriteSourceResumed { onWritable?() }
            }
            source.setCancelHandler { [self] in
                // Unregistered now: the duplicate served this source only.
                Posix.close(duplicate)
                sourceCancelled()
            }
            liveSources += 1
            writeSource = source
            source.activate()
        }
        isWriteSourceResumed = wanted
    }

    /// Cancels the write source, if any, leaving the descriptor watched for reads only; the next
    /// `setWriteInterest(true)` creates a new one. Used once a connect has completed, since most
    /// connections never need to wait for writability again.
    func releaseWriteSource() {
        loop.assertOnLoop()
        guard !isClosing, let writeSource else { return }
        cancel(writeSource)
        self.writeSource = nil
        isWriteSourceResumed = false
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
        if let writeSource { cancel(writeSource) }
    }

    private func cancel(_ source: any DispatchSourceWrite) {
        // Dispatch traps when a suspended source is released, and never runs a suspended source's cancel
        // handler, so resume it before cancelling. Both happen in this turn of the serial loop queue, so
        // its event handler cannot run in between (and it checks `isClosing`/`isWriteSourceResumed`).
        if !isWriteSourceResumed { source.resume() }
        source.cancel()
    }

    private func sourceCancelled() {
        liveSources -= 1
        if liveSources == 0 && isClosing { finishClose() }
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
