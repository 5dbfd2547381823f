import Testing

@testable import Simulators

struct SidecarRouteTests {
    @Test(arguments: [
        ("GET", "/state.json", SidecarRoute.state(extension: "json")),
        ("GET", "/api/state.json", .state(extension: "json")),
        ("GET", "/api/state.tar.gz", .state(extension: "tar.gz")),
        ("POST", "/api/services/abc.def/drain", .drain(id: "abc.def")),
        ("PUT", "/api/services/abc/drain", .methodNotAllowed),
        ("POST", "/services/abc/drain", .notFound),
        ("POST", "/api/services//drain", .notFound),
        ("GET", "/api/services/web.json", .service(name: "web", extension: "json")),
        ("GET", "/api/services/web.tar.gz", .service(name: "web.tar", extension: "gz")),
        ("GET", "/api/services/a%20b%C3%A9.json", .service(name: "a b\u{e9}", extension: "json")),
        // The router matches the decoded path: an encoded slash makes two segments, which no route takes.
        ("GET", "/api/services/team%2Fweb.json", .notFound),
        ("GET", "/api/services/%zz.json", .notFound),
        ("POST", "/api/services/web.json", .methodNotAllowed),
        ("GET", "/api/services/.json", .notFound),
        ("OPTIONS", "/api/anything", .corsOptions),
        ("OPTIONS", "/state.json", .methodNotAllowed),
        ("DELETE", "/ui/index.html", .notSimulated),
        ("GET", "/apix", .notFound),
        // Sidecar's `OPTIONS /{path}` catch-all matches any single segment, so other methods get 405.
        ("GET", "/api/nope", .methodNotAllowed),
        ("GET", "/api/state.", .methodNotAllowed),
        ("GET", "/", .notSimulated),
        ("POST", "/", .methodNotAllowed),
    ])
    func routesAsSidecarsGorillaRoutersDo(method: String, path: String, expected: SidecarRoute) {
        #expect(SidecarRoute(method: method, path: path) == expected)
    }
}
