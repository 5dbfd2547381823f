extension StreamSocket {
    /// Wraps a connection that a listening socket on this loop accepted. `fileDescriptor` must already be
    /// nonblocking and close-on-exec; the socket owns it from here on and closes it when it closes. The executor
    /// only ever connects: this serves the simulated peers that listen on a loop (the simulated Docker engine).
    /// Call on the loop; set `onData` and `onClose` before returning to it.
    public static func accepted(
        fileDescriptor: Int32, listeningOn endpoint: Endpoint, remoteAddress: SocketAddress, loop: EventLoop
    ) -> StreamSocket {
        loop.assertOnLoop()
        _ = ignoreBrokenPipeSignal
        return StreamSocket(
            loop: loop, endpoint: endpoint, remoteAddress: remoteAddress,
            watcher: FileDescriptorWatcher(fileDescriptor: fileDescriptor, loop: loop))
    }
}
