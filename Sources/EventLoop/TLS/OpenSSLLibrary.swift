// The system's OpenSSL 3, reached through dlopen/dlsym instead of linking it. An executor whose peers are all plain
// HTTP or Unix sockets (the common case: a local Docker engine and Sidecar) never loads libssl or libcrypto: nothing
// is mapped, relocated or dirtied for TLS until `OpenSSLLibrary.shared` is first read, and only a TLS endpoint in the
// configuration reads it (`TLSContext.make`). The executable has no link-time dependency on either library.
// This file and TLSStream's neighbours are the only ones of the TLS layer that see C types.
import Glibc

/// OpenSSL's opaque handles, as raw pointers: the layer never looks inside them.
package typealias SSLPointer = OpaquePointer

/// The OpenSSL functions the TLS layer calls, resolved once from libssl.so.3 and libcrypto.so.3.
package struct OpenSSLLibrary: @unchecked Sendable {
    // @unchecked: function pointers into a library that stays loaded for the life of the process.

    package typealias Method = @convention(c) () -> SSLPointer?
    package typealias PointerToPointer = @convention(c) (SSLPointer?) -> SSLPointer?
    package typealias PointerToInt = @convention(c) (SSLPointer?) -> Int32
    package typealias PointerToVoid = @convention(c) (SSLPointer?) -> Void
    package typealias PointerStringToInt = @convention(c) (SSLPointer?, UnsafePointer<CChar>?) -> Int32

    package let clientMethod: Method
    package let serverMethod: Method
    package let contextNew: PointerToPointer
    package let contextFree: PointerToVoid
    package let contextSetVerify: @convention(c) (SSLPointer?, Int32, UnsafeRawPointer?) -> Void
    package let contextLoadVerifyLocations:
        @convention(c) (SSLPointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32
    package let contextSetDefaultVerifyPaths: PointerToInt
    package let contextUseCertificateChainFile: PointerStringToInt
    package let contextUsePrivateKeyFile: @convention(c) (SSLPointer?, UnsafePointer<CChar>?, Int32) -> Int32
    package let contextCheckPrivateKey: PointerToInt
    package let contextControl: @convention(c) (SSLPointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int
    package let sslNew: PointerToPointer
    package let sslFree: PointerToVoid
    package let sslSetBIO: @convention(c) (SSLPointer?, SSLPointer?, SSLPointer?) -> Void
    package let sslSetFD: @convention(c) (SSLPointer?, Int32) -> Int32
    package let sslSetConnectState: PointerToVoid
    package let sslDoHandshake: PointerToInt
    package let sslAccept: PointerToInt
    package let sslRead: @convention(c) (SSLPointer?, UnsafeMutableRawPointer?, Int32) -> Int32
    package let sslWrite: @convention(c) (SSLPointer?, UnsafeRawPointer?, Int32) -> Int32
    package let sslPending: PointerToInt
    package let sslShutdown: PointerToInt
    package let sslGetError: @convention(c) (SSLPointer?, Int32) -> Int32
    package let sslSet1Host: PointerStringToInt
    package let sslGet0Param: PointerToPointer
    package let sslControl: @convention(c) (SSLPointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int
    package let sslGetVerifyResult: @convention(c) (SSLPointer?) -> Int
    package let verifyParamSetIP: PointerStringToInt
    package let verifyErrorString: @convention(c) (Int) -> UnsafePointer<CChar>?
    package let bioMemoryMethod: Method
    package let bioNew: PointerToPointer
    package let bioRead: @convention(c) (SSLPointer?, UnsafeMutableRawPointer?, Int32) -> Int32
    package let bioWrite: @convention(c) (SSLPointer?, UnsafeRawPointer?, Int32) -> Int32
    package let bioPending: @convention(c) (SSLPointer?) -> Int
    package let errorGet: @convention(c) () -> UInt
    /// The oldest queued error, left in the queue.
    package let errorPeek: @convention(c) () -> UInt
    package let errorString: @convention(c) (UInt, UnsafeMutablePointer<CChar>?, Int) -> Void
    package let errorClear: @convention(c) () -> Void

    /// Loaded on first read (a Swift global is initialised once, thread-safely, when first used), so that only a
    /// process with a TLS peer ever maps the libraries. A failure is kept and reported to every later caller.
    package static let shared: Result<OpenSSLLibrary, TLSError> = load()

    private static func load() -> Result<OpenSSLLibrary, TLSError> {
        // RTLD_LOCAL: the symbols stay out of the global namespace; libssl finds its libcrypto by its own DT_NEEDED.
        guard let crypto = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL),
            let ssl = dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL)
        else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            return .failure(TLSError(.libraryUnavailable, "OpenSSL 3 (libssl.so.3) cannot be loaded: \(reason)"))
        }
        do {
            return .success(try OpenSSLLibrary(ssl: ssl, crypto: crypto))
        } catch {
            return .failure(error)
        }
    }
}
