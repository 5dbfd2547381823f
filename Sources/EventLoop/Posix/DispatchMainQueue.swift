// libdispatch's main-queue interface for run loops: what `MainThreadRunLoop` uses to drain the main queue on the
// main thread, as swift-corelibs-foundation's RunLoop does, so that no Dispatch worker thread is ever started for it.
//
// It is SPI, not API: the two functions are not in the Dispatch module's headers, but libdispatch exports them (it is
// linked statically into the executor) and Foundation's RunLoop on Linux is built on exactly these two. The names end
// in `_4CF` ("for CoreFoundation"). On Linux the handle is a nonblocking eventfd that libdispatch writes to whenever
// the main queue goes from empty to not empty; draining runs what the queue holds on the calling thread. Should a
// libdispatch release drop them, linking (or loading, in a debug build) fails rather than the executor
// misbehaving at run time.
@_silgen_name("_dispatch_get_main_queue_handle_4CF")
private func dispatchMainQueueHandle() -> Int32
@_silgen_name("_dispatch_main_queue_callback_4CF")
private func dispatchMainQueueDrain(_ message: UnsafeMutableRawPointer?)

extension Posix {
    /// The descriptor that becomes readable when the main queue has work. The corresponding C function is
    /// libdispatch's `_dispatch_get_main_queue_handle_4CF`.
    public static func mainQueueWakeupDescriptor() -> Int32 {
        dispatchMainQueueHandle()
    }

    /// Runs what the main queue holds, on the calling (main) thread. The corresponding C function is
    /// libdispatch's `_dispatch_main_queue_callback_4CF`.
    public static func drainMainQueue() {
        dispatchMainQueueDrain(nil)
    }
}
