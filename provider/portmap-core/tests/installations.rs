//! Installations and per-node configuration: the three cases of issue 15
//! (cross-environment rules, mixed application servers, per-server ports)
//! with rule sets worked out by hand from the catalog's vendor rows, the
//! configuration semantics, and the errors and warnings of the input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use portmap_core::issue::Severity;
use portmap_core::topology::Topology;
use portmap_core::{Catalog, Computation, Issue, compute};

fn catalog() -> &'static Catalog {
    Catalog::builtin().expect("built-in catalog")
}

/// A topology written as a topology file (YAML).
fn topology(yaml: &str) -> Topology {
    serde_norway::from_str(yaml).expect("topology YAML")
}

fn run(yaml: &str) -> Computation<'static> {
    match compute(&topology(yaml), catalog()) {
        Ok(c) => c,
        Err(e) => panic!("compute failed: {e:#?}"),
    }
}

fn errors(yaml: &str) -> Vec<Issue> {
    match compute(&topology(yaml), catalog()) {
        Ok(c) => panic!(
            "expected errors, got {} rules",
            c.rules.keys().collect::<Vec<_>>().len()
        ),
        Err(e) => e
            .into_iter()
            .filter(|i| i.severity == Severity::Error)
            .collect(),
    }
}

fn rule_keys(c: &Computation<'_>) -> BTreeSet<String> {
    c.rules.keys().map(|k| k.to_string()).collect()
}

fn set(keys: &[&str]) -> BTreeSet<String> {
    keys.iter().map(|s| s.to_string()).collect()
}

/// Two Tachyon 5 deployments: the Master Stack reaches SQL Server on TCP
/// 1433 (master-sql, "1E Servers" rows of the Tachyon 5.0 document).
const TACHYON_NODES: &str = r#"
nodes:
  prod-app: { components: [tachyon-5/master-stack], cidrs: [10.1.0.10] }
  prod-sql: { components: [tachyon-5/sql-master], cidrs: [10.1.0.20] }
  test-app: { components: [tachyon-5/master-stack], cidrs: [10.2.0.10] }
  test-sql: { components: [tachyon-5/sql-master], cidrs: [10.2.0.20] }
  shared-sql: { components: [tachyon-5/sql-master], cidrs: [10.3.0.20] }
"#;

#[test]
fn without_installations_every_master_stack_reaches_every_sql_server() {
    // Today's behaviour, kept for topologies without installations: one
    // implicit installation, so test reaches production (the bug the
    // issue reports, which installations fix).
    let c = run(TACHYON_NODES);
    let keys = rule_keys(&c);
    assert!(keys.contains("test-app:egress:prod-sql:tcp:1433"));
    assert!(keys.contains("prod-app:egress:test-sql:tcp:1433"));
    assert_eq!(
        keys.len(),
        12,
        "2 master stacks x 3 SQL servers, egress and ingress"
    );
}

#[test]
fn installations_keep_production_and_test_apart_and_share_a_sql_server() {
    let c = run(&format!(
        "{TACHYON_NODES}
installations:
  prod: {{ product: tachyon-5, nodes: [prod-app, prod-sql, shared-sql] }}
  test: {{ product: tachyon-5, nodes: [test-app, test-sql, shared-sql] }}
"
    ));
    assert_eq!(
        rule_keys(&c),
        set(&[
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
    // Flow keys name the installation.
    let rule = c.rules.get("shared-sql:ingress:test-app:tcp:1433").unwrap();
    let flows: Vec<&str> = rule.flows.iter().map(|k| &**k).collect();
    assert_eq!(
        flows,
        ["tachyon-5@test:master-sql:test-app>shared-sql:tcp:1433"]
    );
    let f = c
        .flows
        .iter()
        .find(|f| &*f.key == "tachyon-5@prod:master-sql:prod-app>prod-sql:tcp:1433")
        .unwrap();
    assert_eq!(f.installation.as_deref(), Some("prod"));
    assert_eq!(f.product, "tachyon-5");
}

#[test]
fn identical_rules_from_two_installations_merge_and_name_both_flows() {
    // One application server and one SQL Server in two installations (two
    // databases on one instance): one rule, serving both flows.
    let c = run(r#"
nodes:
  app: { components: [tachyon-5/master-stack], cidrs: [10.1.0.10] }
  sql: { components: [tachyon-5/sql-master], cidrs: [10.1.0.20] }
installations:
  a: { product: tachyon-5, nodes: [app, sql] }
  b: { product: tachyon-5, nodes: [app, sql] }
"#);
    assert_eq!(
        rule_keys(&c),
        set(&["app:egress:sql:tcp:1433", "sql:ingress:app:tcp:1433"])
    );
    let rule = c.rules.get("sql:ingress:app:tcp:1433").unwrap();
    let flows: Vec<&str> = rule.flows.iter().map(|k| &**k).collect();
    assert_eq!(
        flows,
        [
            "tachyon-5@a:master-sql:app>sql:tcp:1433",
            "tachyon-5@b:master-sql:app>sql:tcp:1433"
        ]
    );
}

#[test]
fn nodes_no_installation_lists_form_the_implicit_installation() {
    // prod is explicit; test-app and test-sql are in the implicit
    // installation (configured by products), with keys as today.
    let c = run(&format!(
        "{TACHYON_NODES}
installations:
  prod: {{ product: tachyon-5, nodes: [prod-app, prod-sql, shared-sql] }}
"
    ));
    let keys = rule_keys(&c);
    assert!(keys.contains("test-app:egress:test-sql:tcp:1433"));
    assert!(!keys.contains("test-app:egress:prod-sql:tcp:1433"));
    assert!(!keys.contains("test-app:egress:shared-sql:tcp:1433"));
    assert!(
        c.flows
            .iter()
            .any(|f| &*f.key == "tachyon-5:master-sql:test-app>test-sql:tcp:1433")
    );
}

#[test]
fn mixed_application_servers_get_only_their_own_protocols() {
    // Tarantella: ssh (TCP 22) and Windows Terminal Services (TCP 3389) go
    // from the server to the application servers, X applications (TCP
    // 6010 and above) from the application server back to the server
    // (Tarantella document, "Application protocols" rows); print jobs (TCP
    // 515, on by default) from both application servers to the server.
    let c = run(r#"
nodes:
  sgd: { components: [tarantella/server], cidrs: [10.80.1.11] }
  apps-win: { components: [tarantella/application-server], cidrs: [10.80.3.10] }
  apps-unix: { components: [tarantella/application-server], cidrs: [10.80.2.10] }
installations:
  sgd:
    product: tarantella
    nodes: [sgd, apps-win, apps-unix]
    features: [x-applications]
    node_overrides:
      apps-win: { disabled_features: [ssh, x-applications] }
      apps-unix: { disabled_features: [windows-terminal-services] }
"#);
    assert_eq!(
        rule_keys(&c),
        set(&[
            "apps-unix:egress:sgd:tcp:515",
            "apps-unix:egress:sgd:tcp:6010-65535",
            "apps-unix:ingress:sgd:tcp:22",
            "apps-win:ingress:sgd:tcp:3389",
            "apps-win:egress:sgd:tcp:515",
            "sgd:egress:apps-unix:tcp:22",
            "sgd:egress:apps-win:tcp:3389",
            "sgd:ingress:apps-unix:tcp:515",
            "sgd:ingress:apps-unix:tcp:6010-65535",
            "sgd:ingress:apps-win:tcp:515",
        ])
    );
}

#[test]
fn per_server_ports_reach_only_their_own_server() {
    // Named instances: SQL Browser UDP 1434 and the instance's own TCP port
    // (sql_instance_ports) besides 1433, each SQL Server its own port.
    let c = run(r#"
nodes:
  app: { components: [tachyon-5/master-stack], cidrs: [10.1.0.10] }
  sql-a: { components: [tachyon-5/sql-master], cidrs: [10.1.0.21] }
  sql-b: { components: [tachyon-5/sql-master], cidrs: [10.1.0.22] }
installations:
  main:
    product: tachyon-5
    nodes: [app, sql-a, sql-b]
    features: [named-sql-instance]
    node_overrides:
      sql-a: { settings: { sql_instance_ports: "1533" } }
      sql-b: { settings: { sql_instance_ports: "1633" } }
"#);
    assert_eq!(
        rule_keys(&c),
        set(&[
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
        ])
    );
    // No "set sql_instance_ports" warning: every pair has its port.
    assert!(
        !c.issues
            .iter()
            .any(|i| i.summary.contains("sql_instance_ports")),
        "{:#?}",
        c.issues
    );
}

#[test]
fn the_listening_ends_setting_wins_and_a_disabled_feature_wins() {
    // The app's override sets 1733, the SQL Server's 1533: the flow to
    // the SQL Server uses the listening end's 1533. The app's override
    // disables named-sql-instance for sql-b, which enables it itself.
    let c = run(r#"
nodes:
  app: { components: [tachyon-5/master-stack], cidrs: [10.1.0.10] }
  sql-a: { components: [tachyon-5/sql-master], cidrs: [10.1.0.21] }
installations:
  main:
    product: tachyon-5
    nodes: [app, sql-a]
    node_overrides:
      app: { settings: { sql_instance_ports: "1733" }, disabled_features: [] }
      sql-a: { settings: { sql_instance_ports: "1533" }, features: [named-sql-instance] }
"#);
    let keys = rule_keys(&c);
    assert!(keys.contains("app:egress:sql-a:tcp:1533"), "{keys:#?}");
    assert!(!keys.iter().any(|k| k.contains("1733")));
    let c = run(r#"
nodes:
  app: { components: [tachyon-5/master-stack], cidrs: [10.1.0.10] }
  sql-b: { components: [tachyon-5/sql-master], cidrs: [10.1.0.22] }
installations:
  main:
    product: tachyon-5
    nodes: [app, sql-b]
    node_overrides:
      app: { disabled_features: [named-sql-instance] }
      sql-b: { settings: { sql_instance_ports: "1633" }, features: [named-sql-instance] }
"#);
    assert_eq!(
        rule_keys(&c),
        set(&["app:egress:sql-b:tcp:1433", "sql-b:ingress:app:tcp:1433"])
    );
}

fn one_error(yaml: &str) -> Issue {
    let e = errors(yaml);
    assert_eq!(e.len(), 1, "{e:#?}");
    e.into_iter().next().unwrap()
}

const TWO_NODES: &str = r#"
nodes:
  app: { components: [tachyon-5/master-stack], cidrs: [10.1.0.10] }
  sql: { components: [tachyon-5/sql-master], cidrs: [10.1.0.20] }
"#;

#[test]
fn errors_are_reported_at_their_exact_paths() {
    let cases: [(&str, &str, &str); 7] = [
        (
            "x: { product: tachyon-5, nodes: [app, sqll] }",
            "installations[\"x\"].nodes[1]",
            "Unknown node \"sqll\" in installation \"x\"",
        ),
        (
            "x: { product: tachyon5, nodes: [app] }",
            "installations[\"x\"].product",
            "Unknown product \"tachyon5\"",
        ),
        (
            "x: { product: tachyon-5, nodes: [app, sql, app] }",
            "installations[\"x\"].nodes[2]",
            "Node \"app\" is listed twice in installation \"x\"",
        ),
        (
            "x: { product: tachyon-5, nodes: [app], node_overrides: { sql: {} } }",
            "installations[\"x\"].node_overrides[\"sql\"]",
            "Override for node \"sql\" outside installation \"x\"",
        ),
        (
            "x: { product: tachyon-5, nodes: [sql], node_overrides: { sql: { settings: { sql_port: 1 } } } }",
            "installations[\"x\"].node_overrides[\"sql\"].settings[\"sql_port\"]",
            "Unknown setting \"sql_port\" for product tachyon-5",
        ),
        (
            "x: { product: tachyon-5, nodes: [sql], node_overrides: { sql: { features: [named-instance] } } }",
            "installations[\"x\"].node_overrides[\"sql\"].features",
            "Unknown feature \"named-instance\" for product tachyon-5",
        ),
        (
            "\"prod:1\": { product: tachyon-5, nodes: [sql] }",
            "installations[\"prod:1\"]",
            "Invalid installation name \"prod:1\"",
        ),
    ];
    for (installation, path, summary) in cases {
        let e = one_error(&format!("{TWO_NODES}installations:\n  {installation}\n"));
        assert_eq!(e.path.to_string(), path, "{installation}");
        assert_eq!(e.summary, summary, "{installation}");
    }
    let e = one_error(&format!(
        "{TWO_NODES}installations:\n  x: {{ product: tachyon5, nodes: [app] }}\n"
    ));
    assert!(
        e.detail.contains("Did you mean \"tachyon-5\"?"),
        "{}",
        e.detail
    );
    let e = one_error(&format!(
        "{TWO_NODES}installations:\n  x: {{ product: tachyon-5, nodes: [app, sqll] }}\n"
    ));
    assert!(e.detail.contains("Did you mean \"sql\"?"), "{}", e.detail);
}

#[test]
fn an_installation_running_none_of_its_products_components_is_a_warning() {
    let c = run(&format!(
        "{TWO_NODES}  ldap: {{ components: [tarantella/ldap-server], cidrs: [10.9.0.1] }}
installations:
  x: {{ product: tarantella, nodes: [app] }}
"
    ));
    let w = c
        .issues
        .iter()
        .find(|i| i.summary == "Installation \"x\" runs no component of tarantella")
        .unwrap_or_else(|| panic!("{:#?}", c.issues));
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.path.to_string(), "installations[\"x\"].nodes");
}

/// A Tachyon (or 1E) installation has one Master Stack: two in one
/// installation usually mean two deployments, so the warning suggests
/// declaring installations; with installations declared, it is gone.
#[test]
fn two_master_stacks_in_one_installation_suggest_installations() {
    let once = |c: &Computation<'_>| -> Vec<(String, String)> {
        c.issues
            .iter()
            .filter(|i| i.summary.contains("tachyon-5/master-stack runs on"))
            .map(|i| (i.path.to_string(), i.summary.clone()))
            .collect()
    };
    let c = run(TACHYON_NODES);
    assert_eq!(
        once(&c),
        [(
            "nodes[\"test-app\"].components".to_string(),
            "tachyon-5/master-stack runs on 2 nodes of the implicit installation of tachyon-5"
                .to_string()
        )]
    );
    let w = c
        .issues
        .iter()
        .find(|i| i.summary.contains("master-stack runs on"))
        .unwrap();
    assert_eq!(w.severity, Severity::Warning);
    assert!(
        w.detail.contains("\"prod-app\", \"test-app\""),
        "{}",
        w.detail
    );
    assert!(w.detail.contains("installations"), "{}", w.detail);

    let apart = run(&format!(
        "{TACHYON_NODES}
installations:
  prod: {{ product: tachyon-5, nodes: [prod-app, prod-sql, shared-sql] }}
  test: {{ product: tachyon-5, nodes: [test-app, test-sql, shared-sql] }}
"
    ));
    assert!(once(&apart).is_empty(), "{:?}", once(&apart));

    let together = run(&format!(
        "{TACHYON_NODES}
installations:
  all: {{ product: tachyon-5, nodes: [prod-app, test-app, prod-sql] }}
"
    ));
    assert_eq!(
        once(&together),
        [(
            "installations[\"all\"].nodes".to_string(),
            "tachyon-5/master-stack runs on 2 nodes of installation \"all\"".to_string()
        )]
    );
}

/// Ten Master Stacks: the warning names the first six (in name order) and
/// counts the rest, so that it stays readable on a landing zone of hundreds.
#[test]
fn a_long_once_per_installation_warning_lists_a_few_names_and_a_count() {
    let mut yaml = String::from("nodes:\n");
    for i in 0..10 {
        yaml.push_str(&format!(
            "  app-{i}: {{ components: [tachyon-5/master-stack], cidrs: [10.1.0.{i}] }}\n"
        ));
    }
    yaml.push_str("  sql: { components: [tachyon-5/sql-master], cidrs: [10.3.0.20] }\n");
    let c = run(&yaml);
    let w = c
        .issues
        .iter()
        .find(|i| i.summary.contains("master-stack runs on 10 nodes"))
        .unwrap();
    assert!(
        w.detail.contains(
            "it runs on \"app-0\", \"app-1\", \"app-2\", \"app-3\", \"app-4\", \"app-5\" and 4 more."
        ),
        "{}",
        w.detail
    );
}

/// The Spotfire database is one per installation; a group node stands for
/// several servers.
#[test]
fn a_once_per_installation_component_on_a_group_node_is_a_warning() {
    let c = run(r#"
nodes:
  sf: { components: [spotfire/server], cidrs: [10.1.0.10] }
  dbs: { components: [spotfire/database], cidrs: [10.1.1.0/24], kind: group }
products:
  spotfire: { features: [database-postgresql] }
"#);
    let w: Vec<&str> = c
        .issues
        .iter()
        .filter(|i| i.summary.contains("spotfire/database runs on"))
        .map(|i| i.summary.as_str())
        .collect();
    assert_eq!(
        w,
        ["spotfire/database runs on group node \"dbs\" in the implicit installation of spotfire"]
    );
}
