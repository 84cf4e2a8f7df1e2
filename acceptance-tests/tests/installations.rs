//! Installations and per-node configuration (issue 15) through a real
//! Terraform: the three cases of the issue with rule sets worked out by
//! hand from the catalog's vendor rows, and a cloud shape taking the same
//! input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portmap_acceptance_tests::Workspace;
use serde_json::Value as Json;

/// The outputs of `config` after apply, with `keys`: the keys of
/// `data.portmap_flows.x.rules`.
fn outputs(config: &str) -> Json {
    let ws = Workspace::new(&format!(
        "{config}\noutput \"keys\" {{\n  value = keys(data.portmap_flows.x.rules)\n}}\n"
    ));
    ws.apply_outputs()
}

fn rule_keys(config: &str) -> Vec<String> {
    outputs(config)["keys"]
        .as_array()
        .expect("keys is a list")
        .iter()
        .map(|k| k.as_str().expect("a string").to_string())
        .collect()
}

#[test]
fn production_and_test_share_a_sql_server_and_never_reach_each_other() {
    // Tachyon 5: the Master Stack reaches SQL Server on TCP 1433
    // (master-sql). Without installations, test-app would get
    // test-app:egress:prod-sql:tcp:1433.
    let out = outputs(
        r#"
data "portmap_flows" "x" {
  nodes = {
    prod-app   = { components = ["tachyon-5/master-stack"], cidrs = ["10.1.0.10"] }
    prod-sql   = { components = ["tachyon-5/sql-master"], cidrs = ["10.1.0.20"] }
    test-app   = { components = ["tachyon-5/master-stack"], cidrs = ["10.2.0.10"] }
    test-sql   = { components = ["tachyon-5/sql-master"], cidrs = ["10.2.0.20"] }
    shared-sql = { components = ["tachyon-5/sql-master"], cidrs = ["10.3.0.20"] }
  }
  installations = {
    prod = { product = "tachyon-5", nodes = ["prod-app", "prod-sql", "shared-sql"] }
    test = { product = "tachyon-5", nodes = ["test-app", "test-sql", "shared-sql"] }
  }
}

output "shared_flows" {
  value = data.portmap_flows.x.rules["shared-sql:ingress:test-app:tcp:1433"].flows
}
"#,
    );
    assert_eq!(
        out["keys"],
        serde_json::json!([
            "prod-app:egress:prod-sql:tcp:1433",
            "prod-app:egress:shared-sql:tcp:1433",
            "prod-sql:ingress:prod-app:tcp:1433",
            "shared-sql:ingress:prod-app:tcp:1433",
            "shared-sql:ingress:test-app:tcp:1433",
            "test-app:egress:shared-sql:tcp:1433",
            "test-app:egress:test-sql:tcp:1433",
            "test-sql:ingress:test-app:tcp:1433",
        ])
    );
    // The flow key names the installation.
    assert_eq!(
        out["shared_flows"],
        serde_json::json!(["tachyon-5@test:master-sql:test-app>shared-sql:tcp:1433"])
    );
}

#[test]
fn windows_and_unix_application_servers_get_only_their_protocols() {
    // Printing (515, on by default: seed 003 lists it without a condition)
    // from both application servers to the server.
    // Tarantella: SSH 22 and RDP 3389 from the server to the application
    // servers, X applications 6010-65535 back to the server.
    let keys = rule_keys(
        r#"
data "portmap_flows" "x" {
  nodes = {
    sgd       = { components = ["tarantella/server"], cidrs = ["10.80.1.11"] }
    apps-win  = { components = ["tarantella/application-server"], cidrs = ["10.80.3.10"] }
    apps-unix = { components = ["tarantella/application-server"], cidrs = ["10.80.2.10"] }
  }
  installations = {
    sgd = {
      product  = "tarantella"
      nodes    = ["sgd", "apps-win", "apps-unix"]
      features = ["x-applications"]
      node_overrides = {
        apps-win  = { disabled_features = ["ssh", "x-applications"] }
        apps-unix = { disabled_features = ["windows-terminal-services"] }
      }
    }
  }
}
"#,
    );
    assert_eq!(
        keys,
        [
            "apps-unix:egress:sgd:tcp:515",
            "apps-unix:egress:sgd:tcp:6010-65535",
            "apps-unix:ingress:sgd:tcp:22",
            "apps-win:egress:sgd:tcp:515",
            "apps-win:ingress:sgd:tcp:3389",
            "sgd:egress:apps-unix:tcp:22",
            "sgd:egress:apps-win:tcp:3389",
            "sgd:ingress:apps-unix:tcp:515",
            "sgd:ingress:apps-unix:tcp:6010-65535",
            "sgd:ingress:apps-win:tcp:515",
        ]
    );
}

#[test]
fn each_sql_server_gets_only_its_own_instance_port() {
    // Named instances: SQL Browser UDP 1434 and the instance port besides
    // 1433; sql-a listens on 1533, sql-b on 1633.
    let keys = rule_keys(
        r#"
data "portmap_flows" "x" {
  nodes = {
    app   = { components = ["tachyon-5/master-stack"], cidrs = ["10.1.0.10"] }
    sql-a = { components = ["tachyon-5/sql-master"], cidrs = ["10.1.0.21"] }
    sql-b = { components = ["tachyon-5/sql-master"], cidrs = ["10.1.0.22"] }
  }
  installations = {
    main = {
      product  = "tachyon-5"
      nodes    = ["app", "sql-a", "sql-b"]
      features = ["named-sql-instance"]
      node_overrides = {
        sql-a = { settings = { sql_instance_ports = "1533" } }
        sql-b = { settings = { sql_instance_ports = 1633 } }
      }
    }
  }
}
"#,
    );
    assert_eq!(
        keys,
        [
            "app:egress:sql-a:tcp:1433",
            "app:egress:sql-a:tcp:1533",
            "app:egress:sql-a:udp:1434",
            "app:egress:sql-b:tcp:1433",
            "app:egress:sql-b:tcp:1633",
            "app:egress:sql-b:udp:1434",
            "sql-a:ingress:app:tcp:1433",
            "sql-a:ingress:app:tcp:1533",
            "sql-a:ingress:app:udp:1434",
            "sql-b:ingress:app:tcp:1433",
            "sql-b:ingress:app:tcp:1633",
            "sql-b:ingress:app:udp:1434",
        ]
    );
}
