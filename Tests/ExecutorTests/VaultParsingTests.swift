import EventLoop
import Simulators
import Testing

@testable import Executor

/// The pure parts of the Vault support: references, answers, settings, and the simulated Vault's strictness.
struct VaultParsingTests {
    @Test(arguments: [
        ("vault://secret/db?key=password", "secret/db", "password"),
        ("vault://secret/db", "secret/db", "value"),
        ("vault://kv/data/app/?other=1&key=k", "kv/data/app", "k"),
    ])
    func referencesNameAPathAndAKey(text: String, path: String, key: String) throws {
        let reference = try VaultReference(parsing: text)
        #expect(reference.path == path && reference.key == key)
    }

    @Test(arguments: [
        "vault://", "vault:///abs", "vault://secret/db?key=", "vault://se cret/db", "vault://secret/../sys/x",
        "vault://secret/db\r\nX-Injected: 1",
    ])
    func badReferencesAreRefusedWithAReason(text: String) {
        #expect(throws: VaultError.self) { try VaultReference(parsing: text) }
    }

    @Test func secretFieldsAreReadFromKVVersionOneAndTwo() throws {
        let v1: JSONValue = ["data": ["password": "p1"], "lease_duration": 0]
        let v2: JSONValue = ["data": ["data": ["password": "p2"], "metadata": ["version": 3]]]
        #expect(try VaultAnswer.secretField(status: 200, body: v1, path: "secret/db", key: "password").get() == "p1")
        #expect(try VaultAnswer.secretField(status: 200, body: v2, path: "kv/data/db", key: "password").get() == "p2")
    }

    @Test func unusableAnswersSayWhyWithoutTheValue() {
        func message(_ status: Int, _ body: JSONValue?, key: String = "password") -> String {
            guard case .failure(let error) = VaultAnswer.secretField(status: status, body: body, path: "p", key: key)
            else { return "no failure" }
            return error.message
        }
        #expect(message(404, ["errors": []]) == "Vault has no secret at p (404)")
        #expect(message(403, ["errors": ["permission denied"]]).contains("403 for p: permission denied"))
        #expect(message(200, ["data": ["other": "hidden-value"]]) == "the secret at p has no key 'password'")
        #expect(message(200, ["data": ["password": 7]]).contains("is not a string"))
        #expect(message(200, ["nodata": true]).contains("no data object"))
        #expect(message(200, nil).contains("no data object"))
        #expect(!message(200, ["data": ["other": "hidden-value"]]).contains("hidden-value"))
    }

    @Test func settingsFollowTheVaultClientVariables() throws {
        let settings = try VaultSettings.parse([
            "VAULT_ADDR": "https://vault.example:8200", "VAULT_CACERT": "/ca.pem", "VAULT_SKIP_VERIFY": "true",
            "VAULT_MAX_RETRIES": "0", "VAULT_TTL": "7200", "VAULT_USERNAME": "u", "VAULT_PASSWORD": "p",
        ]).get()
        #expect(settings.address.isTLS && settings.address.port == 8200)
        #expect(settings.tls.caFile == "/ca.pem" && !settings.tls.verifyPeer)
        #expect(settings.maxRetries == 0 && settings.tokenTTL == 7200 && settings.hasTokenSource)
        #expect(settings.loginIncrement == 7800)
        let defaults = try VaultSettings.parse([:]).get()
        #expect(defaults.address.description == "https://127.0.0.1:8200/" && !defaults.hasTokenSource)
        #expect(defaults.tls.verifyPeer && defaults.maxRetries == 2 && defaults.tokenTTL == 86_400)
        let aws = try VaultSettings.parse(["EXECUTOR_AWS_ROLE": "r", "EXECUTOR_AWS_ROLE_TTL": "2h"]).get()
        #expect(aws.awsRole == "r" && aws.awsRoleTTL == 7200 && aws.loginIncrement == 7800)
    }

    @Test(arguments: [
        ["VAULT_ADDR": "ftp://vault"], ["VAULT_TTL": "soon"], ["VAULT_TTL": "60"], ["VAULT_MAX_RETRIES": "-1"],
        ["EXECUTOR_AWS_ROLE_TTL": "800h"],
    ])
    func badSettingsAreStartUpProblemsNamingTheVariable(environment: [String: String]) {
        guard case .failure(let error) = VaultSettings.parse(environment) else {
            Issue.record("accepted \(environment)")
            return
        }
        #expect(error.problems.contains { $0.contains(environment.keys.first!) }, "\(error.problems)")
    }

    @Test func theSimulatedVaultIsStrictAsTheRealOne() {
        var state = VaultState()
        state.users["u"] = "pw"
        state.secrets["secret/x"] = ["value": "v"]
        let now = 1000.0
        #expect(state.answer(method: "GET", path: "secret/x", token: nil, body: [], now: now).status == 403)
        #expect(state.answer(method: "GET", path: "secret/x", token: "forged", body: [], now: now).status == 403)
        let bad = state.answer(
            method: "PUT", path: "auth/userpass/login/u", token: nil, body: Array("{".utf8), now: now)
        #expect(bad.status == 400)
        let wrong = state.answer(
            method: "PUT", path: "auth/userpass/login/u", token: nil, body: Array(#"{"password":"no"}"#.utf8), now: now)
        #expect(wrong.status == 400)
        let login = state.answer(
            method: "PUT", path: "auth/userpass/login/u", token: nil, body: Array(#"{"password":"pw"}"#.utf8), now: now)
        let token = login.body?["auth"]?["client_token"]?.stringValue
        #expect(login.status == 200 && token != nil)
        #expect(state.answer(method: "GET", path: "secret/x", token: token, body: [], now: now).status == 200)
        let missing = state.answer(method: "GET", path: "secret/none", token: token, body: [], now: now)
        #expect(missing.status == 404 && missing.body == ["errors": []])
        #expect(state.answer(method: "DELETE", path: "secret/x", token: token, body: [], now: now).status == 405)
        #expect(state.answer(method: "GET", path: "secret/x", token: token, body: [], now: now + 1e8).status == 403)
    }
}
