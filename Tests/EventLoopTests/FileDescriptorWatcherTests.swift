import Dispatch
import Glibc
import Testing

@testable import EventLoop

/// A connected pair of nonblocking Unix stream sockets: [0] is watched, [1] plays the peer.
private func socketPair() -> (Int32, Int32) {
    var fds: [Int32] = [0, 0]
    let made = socketpair(
        AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0, &fds)
    precondition(made == 0, "socketpair failed")
    return (fds[0], fds[1])
}

struct FileDescriptorWatcherTests {
    @Test func reportsReadabilityOnlyAfterReadingStarted() {
        let loop = EventLoop(label: "test.watcher-read")
        let (fd, peer) = socketPair()
        defer { close(peer) }
        let readable = Locked(0)
        let watcher = onLoop(loop) { () -> FileDescriptorWatcher in
            let watcher = FileDescriptorWatcher(fileDescriptor: fd, loop: loop)
            watcher.onReadable = {
                var byte: UInt8 = 0
                while read(fd, &byte, 1) == 1 {}  // drain, so the source goes quiet again
                readable.withValue { $0 += 1 }
            }
            return watcher
        }
        _ = write(peer, "x", 1)
        usleep(20_000)
        #expect(readable.current == 0)
        onLoop(loop) { watcher.startReading() }
        #expect(eventually { readable.current == 1 })
        onLoop(loop) { watcher.close {} }
    }

    @Test func writeSourceIsResumedOnlyWhileWriteInterestIsOn() {
        let loop = EventLoop(label: "test.watcher-write")
        let (fd, peer) = socketPair()
        defer { close(peer) }
        let writable = Locked(0)
        let watcher = onLoop(loop) { () -> FileDescriptorWatcher in
            let watcher = FileDescriptorWatcher(fileDescriptor: fd, loop: loop)
            watcher.onWritable = {
                writable.withValue { $0 += 1 }
                #expect(throws: Never.self) { try watcher.setWriteInterest(false) }
            }
            #expect(throws: Never.self) { try watcher.setWriteInterest(true) }
            return watcher
        }
        // An empty socket is writable: one event, after which the handler turned interest off.
        #expect(eventually { writable.current == 1 })
        #expect(onLoop(loop) { watcher.isWriteSourceResumed } == false)
        usleep(30_000)
        #expect(writable.current == 1)
        onLoop(loop) { #expect(throws: Never.self) { try watcher.setWriteInterest(true) } }
        #expect(eventually { writable.current == 2 })
        // A released write source is replaced by a fresh one when writability is wanted again.
        onLoop(loop) {
            watcher.releaseWriteSource()
            #expect(!watcher.isWriteSourceResumed)
            #expect(throws: Never.self) { try watcher.setWriteInterest(true) }
        }
        #expect(eventually { writable.current == 3 })
        onLoop(loop) { watcher.close {} }
    }

    @Test func closingWithASuspendedWriteSourceReleasesTheDescriptorAfterTheCancelHandlers() {
        let loop = EventLoop(label: "test.watcher-close")
        let (fd, peer) = socketPair()
        defer { close(peer) }
        let closed = Locked(false)
        let openRightAfterClose = onLoop(loop) { () -> Bool in
            let watcher = FileDescriptorWatcher(fileDescriptor: fd, loop: loop)
            watcher.startReading()
            #expect(throws: Never.self) {
                try watcher.setWriteInterest(true)
                try watcher.setWriteInterest(false)  // suspended: Dispatch traps if it were released like this
            }
            watcher.close { closed.withValue { $0 = watcher.isClosed && fcntl(fd, F_GETFD) == -1 } }
            watcher.close { Issue.record("a second close must be ignored") }
            return fcntl(fd, F_GETFD) != -1
        }
        #expect(openRightAfterClose)
        #expect(eventually { closed.current })
    }

    @Test func closingAWatcherWithoutSourcesStillClosesAsynchronously() {
        let loop = EventLoop(label: "test.watcher-nosource")
        let (fd, peer) = socketPair()
        defer { close(peer) }
        let closed = Locked(false)
        let synchronous = onLoop(loop) { () -> Bool in
            let watcher = FileDescriptorWatcher(fileDescriptor: fd, loop: loop)
            watcher.close { closed.withValue { $0 = true } }
            return closed.current
        }
        #expect(!synchronous)
        #expect(eventually { closed.current })
    }
}
