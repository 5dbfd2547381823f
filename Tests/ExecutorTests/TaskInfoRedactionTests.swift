import EventLoop
import Testing

@testable import Executor

/// EXECUTOR_DEBUG logs the TaskInfo: everything an operator needs, no secret.
struct TaskInfoRedactionTests {
    @Test func secretLookingValuesAreHiddenAndTheRestIsKept() throws {
        let task = try JSON.parse(
            """
            {"task_id":{"value":"t1"},"data":"c2VjcmV0",
             "executor":{"command":{"value":"/opt/mesos/executor.sh","environment":{"variables":[
               {"name":"DB_PASSWORD","value":"hunter2"},{"name":"PLAIN","value":"visible"},
               {"name":"VAULTED","type":"SECRET","secret":{"type":"VALUE","value":{"data":"czNjcjN0"}}}]}}},
             "container":{"type":"DOCKER","docker":{"image":"acme/web:1","parameters":[
               {"key":"env","value":"API_TOKEN=abc123"},{"key":"env","value":"MODE=fast"},
               {"key":"label","value":"ServiceName=web"}]}},
             "labels":{"labels":[{"key":"signing_key","value":"k3y"},{"key":"team","value":"web"}]}}
            """)
        let text = TaskInfoRedaction.redacted(task).jsonString
        for secret in ["hunter2", "c2VjcmV0", "czNjcjN0", "abc123", "k3y"] {
            #expect(!text.contains(secret), "\(secret) in \(text)")
        }
        for kept in [
            "t1", "/opt/mesos/executor.sh", "\"visible\"", "MODE=fast", "ServiceName=web", "acme/web:1",
            "API_TOKEN=\(Redaction.marker)", "\"team\"",
        ] {
            #expect(text.contains(kept), "\(kept) missing from \(text)")
        }
    }
}
