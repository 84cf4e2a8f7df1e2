//! How topologies become flows and rules: co-location, groups, unresolved
//! parties, features, settings (and derived ports), determinism and key
//! stability.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // reads files and the environment: test code, not the pure core

use std::collections::BTreeSet;

use portmap_core::topology::{Node, NodeKind, ProductConfig, SettingInput, Topology};
use portmap_core::{Catalog, Computation, compute};

fn catalog() -> &'static Catalog {
    Catalog::builtin().expect("built-in catalog")
}

fn node(components: &[&str], cidrs: &[&str]) -> Node {
    Node {
        components: components.iter().map(|s| s.to_string()).collect(),
        cidrs: cidrs.iter().map(|s| s.to_string()).collect(),
        ..Node::default()
    }
}

fn group(components: &[&str], cidrs: &[&str]) -> Node {
    Node {
        kind: NodeKind::Group,
        ..node(components, cidrs)
    }
}

fn topo(nodes: Vec<(&str, Node)>) -> Topology {
    Topology {
        nodes: nodes.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        ..Topology::default()
    }
}

fn with_product(
    mut t: Topology,
    product: &str,
    settings: &[(&str, &str)],
    features: &[&str],
) -> Topology {
    t.products.insert(
        product.to_string(),
        ProductConfig {
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), SettingInput::Text(v.to_string())))
                .collect(),
            features: features.iter().map(|s| s.to_string()).collect(),
            disabled_features: vec![],
            ..ProductConfig::default()
        },
    );
    t
}

fn run(t: &Topology) -> Computation<'static> {
    match compute(t, catalog()) {
        Ok(c) => c,
        Err(issues) => panic!("compute failed: {issues:#?}"),
    }
}

fn keys(c: &Computation<'_>) -> BTreeSet<String> {
    c.rules.keys().map(|k| k.to_string()).collect()
}

#[test]
fn co_located_components_need_no_rule() {
    // Master and Response Stack on one host: their flows are internal.
    let c = run(&topo(vec![(
        "app",
        node(&["1e-platform/server"], &["10.0.0.1/32"]),
    )]));
    assert!(c.rules.is_empty(), "{:?}", keys(&c));
    let internal: Vec<_> = c
        .flows
        .iter()
        .filter(|f| f.internal)
        .map(|f| f.flow)
        .collect();
    assert!(internal.contains(&"internal-switch-host"), "{internal:?}");
    assert!(c.flows.iter().all(|f| f.internal));
    // The remote Response Stack flows do not exist at all while the stacks are together.
    assert!(!c.flows.iter().any(|f| f.flow == "master-remote-core"));
}

#[test]
fn separating_the_stacks_turns_on_the_remote_response_stack_flows() {
    let c = run(&topo(vec![
        (
            "master",
            node(&["1e-platform/master-stack"], &["10.0.0.1/32"]),
        ),
        (
            "response",
            node(&["1e-platform/response-stack"], &["10.0.0.2/32"]),
        ),
    ]));
    assert!(c.rules.contains_key("response:ingress:master:tcp:443"));
    assert!(c.rules.contains_key("master:ingress:response:tcp:3901"));
    // The internal table's flows stay inside each server, off the network.
    let internal: Vec<_> = c
        .flows
        .iter()
        .filter(|f| f.flow.starts_with("internal-"))
        .collect();
    assert!(!internal.is_empty());
    assert!(
        internal
            .iter()
            .all(|f| f.internal && f.from_node == f.to_node && !f.needs_rule())
    );
}

#[test]
fn a_group_gets_rules_to_itself() {
    let c = run(&topo(vec![(
        "cluster",
        group(&["plossys/output-engine"], &["10.1.0.0/28"]),
    )]));
    assert!(c.rules.contains_key("cluster:ingress:cluster:tcp:27017"));
    assert!(c.rules.contains_key("cluster:egress:cluster:udp:8301-8302"));
    assert_eq!(
        c.rules
            .get("cluster:ingress:cluster:tcp:27017")
            .expect("the rule exists")
            .peer_cidrs[..],
        ["10.1.0.0/28"]
    );
    // One host alone: the cluster flows are between members, so a single
    // host has none (neither rules nor internal flows).
    let single = run(&topo(vec![(
        "oe",
        node(&["plossys/output-engine"], &["10.1.0.1/32"]),
    )]));
    assert!(single.rules.is_empty());
    assert!(
        !single
            .flows
            .iter()
            .any(|f| f.flow == "cluster-27017-mongodb")
    );
}

#[test]
fn same_machine_flows_stay_internal_even_in_a_group() {
    // The 1E Client UI (7766) talks to the client service on each device.
    let c = run(&topo(vec![
        ("app", node(&["1e-platform/server"], &["10.0.0.1/32"])),
        ("clients", group(&["1e-platform/client"], &["10.8.0.0/16"])),
    ]));
    assert!(
        !c.rules.keys().any(|k| k.ends_with(":7766")),
        "{:?}",
        keys(&c)
    );
    assert!(c.flows.iter().any(|f| f.flow == "client-ui" && f.internal));
}

#[test]
fn a_missing_party_is_unresolved_and_warned_about() {
    let c = run(&topo(vec![(
        "app",
        node(&["tachyon-5/server"], &["10.0.0.1/32"]),
    )]));
    let missing: BTreeSet<&str> = c
        .unresolved
        .iter()
        .map(|u| u.missing_component.as_str())
        .collect();
    for m in [
        "tachyon-5/sql-master",
        "tachyon-5/sql-responses",
        "tachyon-5/client",
        "tachyon-5/browser",
        "tachyon-5/smtp-relay",
    ] {
        assert!(missing.contains(m), "{m} not reported: {missing:?}");
    }
    // Optional parties are not reported.
    assert!(!missing.contains("tachyon-5/consumer"));
    assert!(!missing.contains("tachyon-5/bi-tool"));
    let warning = c
        .issues
        .iter()
        .find(|i| i.summary.starts_with("tachyon-5/smtp-relay is not placed"))
        .expect("warning");
    assert!(warning.detail.contains("tachyon-5:master-smtp (tcp 25)"));
    assert!(!warning.is_error());
}

#[test]
fn features_switch_flows_on_and_off() {
    let base = topo(vec![
        ("app", node(&["tachyon-5/server"], &["10.0.0.1/32"])),
        ("sql", node(&["tachyon-5/sql-server"], &["10.0.0.2/32"])),
    ]);
    let off = run(&base);
    assert!(!off.rules.contains_key("sql:ingress:app:udp:1434"));
    let on = run(&with_product(
        base.clone(),
        "tachyon-5",
        &[("sql_instance_ports", "1533")],
        &["named-sql-instance"],
    ));
    assert!(on.rules.contains_key("sql:ingress:app:udp:1434"));
    assert!(on.rules.contains_key("sql:ingress:app:tcp:1533"));
    // A default-on feature can be disabled.
    let spot = topo(vec![
        ("s", node(&["spotfire/server"], &["10.0.0.1/32"])),
        ("u", group(&["spotfire/client"], &["10.8.0.0/16"])),
    ]);
    assert!(run(&spot).rules.contains_key("s:ingress:u:tcp:80"));
    let mut no_http = spot.clone();
    no_http.products.insert(
        "spotfire".into(),
        ProductConfig {
            disabled_features: vec!["http-connector".into()],
            ..ProductConfig::default()
        },
    );
    assert!(!run(&no_http).rules.contains_key("s:ingress:u:tcp:80"));
}

/// Seed 003, application-server table, row 11: "Application server /
/// Tarantella server / 515/tcp / Used to send print jobs from the application
/// server to a Tarantella server", with no condition: a default deployment
/// prints (and can switch it off), while the rows tied to a connection method
/// (telnet 23, rows 2) stay off until chosen.
#[test]
fn rows_the_document_lists_without_a_condition_are_on_by_default() {
    let t = topo(vec![
        ("sgd", node(&["tarantella/server"], &["10.0.0.1/32"])),
        (
            "apps",
            group(&["tarantella/application-server"], &["10.0.1.0/24"]),
        ),
    ]);
    let c = run(&t);
    assert!(c.rules.contains_key("apps:egress:sgd:tcp:515"));
    assert!(c.rules.contains_key("sgd:ingress:apps:tcp:515"));
    let printing: Vec<&str> = c
        .flows
        .iter()
        .filter(|f| f.flow == "printing")
        .map(|f| f.key.as_ref())
        .collect();
    assert_eq!(printing, ["tarantella:printing:apps>sgd:tcp:515"]);
    assert!(!c.rules.contains_key("apps:ingress:sgd:tcp:23"));
    let mut off = t.clone();
    off.products.insert(
        "tarantella".into(),
        ProductConfig {
            disabled_features: vec!["printing".into()],
            ..ProductConfig::default()
        },
    );
    let c = run(&off);
    assert!(!c.rules.contains_key("apps:egress:sgd:tcp:515"));
    assert!(!c.rules.contains_key("sgd:ingress:apps:tcp:515"));
}

/// Seed 004 names each administrative interface in its own row: Kibana
/// (5601, "GUI for visualising the log data"), PLOSSYS Administrator (9000,
/// "Output Engine GUI") and, for a cluster, the Consul Administrator GUI
/// (8500). Support staff who only read logs get 5601 and nothing else, and
/// no warning that the administrators are missing.
#[test]
fn a_narrower_party_gets_only_its_interface() {
    let oe = |ip: &str| node(&["plossys/output-engine"], &[ip]);
    let support = group(&["plossys/kibana-user"], &["10.30.6.0/24"]);
    let t = topo(vec![
        ("oe", oe("10.0.0.1/32")),
        ("support", support.clone()),
    ]);
    let c = run(&t);
    let support_rules: BTreeSet<String> = keys(&c)
        .into_iter()
        .filter(|k| k.contains("support"))
        .collect();
    assert_eq!(
        support_rules,
        BTreeSet::from([
            "oe:ingress:support:tcp:5601".to_string(),
            "support:egress:oe:tcp:5601".to_string(),
        ])
    );
    assert!(
        c.unresolved
            .iter()
            .all(|u| u.missing_component != "plossys/admin"),
        "{:?}",
        c.unresolved
    );
    // Without any administrative party the administrators are reported
    // missing, as before.
    let alone = run(&topo(vec![("oe", oe("10.0.0.1/32"))]));
    assert!(
        alone
            .unresolved
            .iter()
            .any(|u| u.missing_component == "plossys/admin" && u.flow == "admin-kibana")
    );
    // In a cluster, Consul GUI users reach 8500 on every engine, nothing else.
    let t = topo(vec![
        ("oe-1", oe("10.0.0.1/32")),
        ("oe-2", oe("10.0.0.2/32")),
        (
            "ops",
            group(&["plossys/consul-gui-user"], &["10.30.7.0/24"]),
        ),
    ]);
    let ops_rules: BTreeSet<String> = keys(&run(&t))
        .into_iter()
        .filter(|k| k.contains("ops"))
        .collect();
    assert_eq!(
        ops_rules,
        BTreeSet::from([
            "oe-1:ingress:ops:tcp:8500".to_string(),
            "oe-2:ingress:ops:tcp:8500".to_string(),
            "ops:egress:oe-1:tcp:8500".to_string(),
            "ops:egress:oe-2:tcp:8500".to_string(),
        ])
    );
}

#[test]
fn exclusive_groups_follow_the_users_choice() {
    let t = topo(vec![
        ("s", node(&["spotfire/server"], &["10.0.0.1/32"])),
        ("dir", node(&["spotfire/ldap-server"], &["10.0.0.9/32"])),
    ]);
    // Placing an LDAP server turns on LDAP (389) automatically...
    assert!(run(&t).rules.contains_key("dir:ingress:s:tcp:389"));
    // ...choosing LDAPS in the exclusive group replaces it with 636.
    let c = run(&with_product(t, "spotfire", &[], &["ldaps"]));
    assert!(c.rules.contains_key("dir:ingress:s:tcp:636"));
    assert!(!c.rules.contains_key("dir:ingress:s:tcp:389"));
}

#[test]
fn a_changed_setting_moves_the_port_and_its_derived_ports() {
    let t = topo(vec![
        ("s1", node(&["spotfire/server"], &["10.0.0.1/32"])),
        ("s2", node(&["spotfire/server"], &["10.0.0.2/32"])),
    ]);
    assert!(run(&t).rules.contains_key("s2:ingress:s1:tcp:5701-5703"));
    // Second and third clustering ports are the first + 1 and + 2.
    let moved = run(&with_product(
        t,
        "spotfire",
        &[("cluster_port", "47100")],
        &[],
    ));
    assert!(
        moved.rules.contains_key("s2:ingress:s1:tcp:47100-47102"),
        "{:?}",
        keys(&moved)
    );
    assert!(!moved.rules.keys().any(|k| k.contains(":5701")));

    // 1E DMZ: poke ports are the DMZ Switch client port + 1, one per Switch.
    let dmz = topo(vec![
        (
            "rs",
            node(&["1e-platform/response-stack"], &["10.0.0.1/32"]),
        ),
        ("dmz", node(&["1e-platform/dmz-server"], &["192.0.2.1/32"])),
    ]);
    assert!(run(&dmz).rules.contains_key("dmz:ingress:rs:tcp:4001"));
    let c = run(&with_product(
        dmz,
        "1e-platform",
        &[("dmz_switch_port", "4100"), ("dmz_switch_count", "3")],
        &[],
    ));
    assert!(
        c.rules.contains_key("dmz:ingress:rs:tcp:4101-4103"),
        "{:?}",
        keys(&c)
    );
}

#[test]
fn a_setting_that_pushes_a_derived_port_out_of_range_is_an_error() {
    let t = with_product(
        topo(vec![("s", node(&["spotfire/server"], &["10.0.0.1/32"]))]),
        "spotfire",
        &[("cluster_port", "65535")],
        &[],
    );
    let issues = compute(&t, catalog()).expect_err("must fail");
    let e = issues.iter().find(|i| i.is_error()).unwrap();
    assert_eq!(
        e.path.to_string(),
        "products[\"spotfire\"].settings[\"cluster_port\"]"
    );
    assert!(e.detail.contains("65536"), "{e:?}");
}

#[test]
fn series_follow_their_count() {
    // Netlet: one pair of ports per array member; the count follows the servers placed.
    let t = topo(vec![
        ("a", node(&["tarantella/server"], &["10.0.0.1/32"])),
        ("b", node(&["tarantella/server"], &["10.0.0.2/32"])),
        ("c", node(&["tarantella/server"], &["10.0.0.3/32"])),
        (
            "portal",
            node(&["tarantella/portal-server"], &["10.0.0.9/32"]),
        ),
        (
            "users",
            group(
                &["tarantella/client", "tarantella/netlet-applet"],
                &["10.8.0.0/16"],
            ),
        ),
    ]);
    let c = run(&t);
    let mut login: Vec<u16> = c
        .flows
        .iter()
        .filter(|f| f.flow == "netlet-login")
        .map(|f| f.ports.from)
        .collect();
    login.sort();
    assert_eq!(login, [4000, 4002, 4004]);
    let c = run(&with_product(
        t,
        "tarantella",
        &[("array_members", "1")],
        &[],
    ));
    let login: Vec<u16> = c
        .flows
        .iter()
        .filter(|f| f.flow == "netlet-login")
        .map(|f| f.ports.from)
        .collect();
    assert_eq!(login, [4000]);
}

#[test]
fn adding_a_node_changes_no_existing_key_and_output_is_deterministic() {
    let before = topo(vec![
        ("oe-1", node(&["plossys/output-engine"], &["10.1.0.1/32"])),
        ("oe-2", node(&["plossys/output-engine"], &["10.1.0.2/32"])),
        ("sap", group(&["plossys/client"], &["10.2.0.0/24"])),
    ]);
    let mut after = before.clone();
    after
        .nodes
        .insert("sap-2".into(), group(&["plossys/client"], &["10.3.0.0/24"]));
    let (b, a) = (run(&before), run(&after));
    for (k, rule) in &b.rules {
        assert_eq!(
            a.rules.get(k),
            Some(rule),
            "rule {k} changed when a node was added"
        );
    }
    assert!(a.rules.len() > b.rules.len());
    // Same input, identical output.
    let again = run(&before);
    assert_eq!(again.rules, b.rules);
    assert_eq!(again.flows, b.flows);
}

#[test]
fn no_rule_is_wider_than_its_flows() {
    for scenario in [
        "tachyon-5",
        "1e-platform",
        "spotfire",
        "tarantella",
        "plossys",
    ] {
        let path = format!(
            "{}/../../examples/{scenario}/topology.yaml",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let t: Topology = serde_norway::from_str(&text).unwrap();
        let c = run(&t);
        for rule in c.rules.values() {
            let served: Vec<_> = c.rule_flows(rule).collect();
            assert!(!served.is_empty(), "{} serves no flow", rule.key);
            for p in rule.ports.from..=rule.ports.to {
                assert!(
                    served.iter().any(|f| f.ports.contains(p)
                        && f.protocol == rule.protocol
                        && f.needs_rule()),
                    "{scenario}: rule {} opens port {p} that none of its flows needs",
                    rule.key
                );
            }
        }
    }
}

/// A peer without addresses is named, with the number of rules that name it
/// as peer; a host covering every address is named; a node without
/// addresses that no rule names as peer is not.
#[test]
fn nodes_without_usable_addresses_are_warned_about() {
    let c = run(&topo(vec![
        ("a", node(&["plossys/output-engine"], &[])),
        ("b", node(&["plossys/output-engine"], &["0.0.0.0/0"])),
    ]));
    let naming_a = c.rules.values().filter(|r| &*r.peer == "a").count();
    assert!(naming_a > 0, "the cluster flows make rules towards a");
    let warnings: Vec<(String, String, String)> = c
        .issues
        .iter()
        .filter(|i| i.summary.starts_with("Node "))
        .map(|i| (i.path.to_string(), i.summary.clone(), i.detail.clone()))
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert_eq!(warnings[0].1, "Node \"a\" has no addresses");
    assert!(
        warnings[0]
            .2
            .starts_with(&format!("{naming_a} rules name \"a\" as peer")),
        "{}",
        warnings[0].2
    );
    assert_eq!(warnings[1].1, "Node \"b\" covers every address");
    assert!(
        warnings.iter().all(|w| w.0.ends_with(".cidrs")),
        "{warnings:#?}"
    );

    // Alone, the node without addresses is nobody's peer: no warning.
    let alone = run(&topo(vec![("a", node(&["plossys/output-engine"], &[]))]));
    assert!(alone.rules.is_empty());
    assert!(!alone.issues.iter().any(|i| i.summary.starts_with("Node ")));
}

#[test]
fn selecting_nodes_returns_their_rules_and_flows_unchanged() {
    use portmap_core::output::FlowsOutput;
    let t = topo(vec![
        ("oe-1", node(&["plossys/output-engine"], &["10.1.0.1/32"])),
        ("oe-2", node(&["plossys/output-engine"], &["10.1.0.2/32"])),
        ("sap", group(&["plossys/client"], &["10.2.0.0/24"])),
    ]);
    let c = run(&t);
    let all = FlowsOutput::new(&c);
    let only = |names: &[&str]| {
        let set: BTreeSet<String> = names.iter().map(|s| s.to_string()).collect();
        FlowsOutput::for_nodes(&c, Some(&set))
    };

    // The SAP systems print to both output engines (IPP, HTTPS, LPD): six
    // egress rules of their own, nothing of the engines' cluster traffic.
    let sap = only(&["sap"]);
    let keys: Vec<&str> = sap.rules.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "sap:egress:oe-1:tcp:443",
            "sap:egress:oe-1:tcp:515",
            "sap:egress:oe-1:tcp:631",
            "sap:egress:oe-2:tcp:443",
            "sap:egress:oe-2:tcp:515",
            "sap:egress:oe-2:tcp:631",
        ]
    );
    assert_eq!(sap.flows.len(), 6);
    assert!(
        sap.flows
            .iter()
            .all(|f| f.from_node == "sap" && f.protocol == "tcp")
    );

    for selected in [only(&["sap"]), only(&["oe-1"]), only(&["oe-1", "sap"])] {
        // The same objects as in the whole result ...
        for (k, r) in &selected.rules {
            assert_eq!(all.rules.get(k), Some(r));
        }
        for f in &selected.flows {
            assert!(all.flows.contains(f));
        }
        // ... and every flow a selected rule serves is there.
        let flow_keys: BTreeSet<&str> = selected.flows.iter().map(|f| f.key.as_str()).collect();
        for r in selected.rules.values() {
            for k in &r.flows {
                assert!(flow_keys.contains(k.as_str()), "{k} of {r:?} is missing");
            }
        }
    }
    // The engine's rules include its cluster peer and the SAP systems, on
    // both sides; the other engine's own rules are left out.
    let oe1 = only(&["oe-1"]);
    assert!(oe1.rules.contains_key("oe-1:ingress:sap:tcp:515"));
    assert!(oe1.rules.contains_key("oe-1:egress:oe-2:tcp:27017"));
    assert!(oe1.rules.contains_key("oe-1:ingress:oe-2:tcp:27017"));
    assert!(oe1.rules.values().all(|r| r.node == "oe-1"));
    assert!(
        !oe1.flows
            .iter()
            .any(|f| f.from_node == "sap" && f.to_node == "oe-2")
    );
    // Selecting every node is the whole result; selecting none, nothing
    // but the unresolved flows, which are about the whole topology.
    assert_eq!(only(&["oe-1", "oe-2", "sap"]), all);
    let none = only(&[]);
    assert!(none.rules.is_empty() && none.flows.is_empty());
    assert_eq!(none.unresolved, all.unresolved);
}

#[test]
fn selecting_a_node_that_is_not_declared_is_an_error_with_a_suggestion() {
    use portmap_core::issue::Path;
    use portmap_core::topology::check_node_selection;
    let t = topo(vec![
        ("oe-1", node(&["plossys/output-engine"], &["10.1.0.1/32"])),
        ("sap", group(&["plossys/client"], &["10.2.0.0/24"])),
    ]);
    let path = Path::root().attr("for_nodes");
    let issues = check_node_selection(Some(&t.nodes), ["sap", "sapp", "oe-1"], &path);
    assert_eq!(issues.len(), 1);
    assert!(issues[0].is_error());
    assert_eq!(issues[0].path, path);
    assert_eq!(issues[0].summary, "Unknown node \"sapp\"");
    assert!(
        issues[0].detail.contains("Did you mean \"sap\"?"),
        "{}",
        issues[0].detail
    );
    assert!(check_node_selection(Some(&t.nodes), ["sap"], &path).is_empty());
    // While the nodes are unknown, nothing can be said.
    assert!(check_node_selection::<Node>(None, ["x"], &path).is_empty());
}

/// A flow from a component to itself (the Spotfire cluster ports) exists
/// only between members: one server gets no `sf-1 → sf-1` flow, two servers
/// get the flows between them, and a group node keeps them (its members
/// are several machines).
#[test]
fn a_component_to_itself_is_a_flow_between_members_only() {
    let cluster = |c: &Computation<'_>| -> Vec<String> {
        c.flows
            .iter()
            .filter(|f| f.flow.starts_with("cluster"))
            .map(|f| f.key.to_string())
            .collect()
    };
    let one = run(&topo(vec![(
        "sf-1",
        node(&["spotfire/server"], &["10.0.0.1"]),
    )]));
    assert_eq!(cluster(&one), Vec::<String>::new());
    let two = run(&topo(vec![
        ("sf-1", node(&["spotfire/server"], &["10.0.0.1"])),
        ("sf-2", node(&["spotfire/server"], &["10.0.0.2"])),
    ]));
    assert_eq!(
        cluster(&two),
        [
            "spotfire:cluster-second:sf-1>sf-2:tcp:5702",
            "spotfire:cluster-second:sf-2>sf-1:tcp:5702",
            "spotfire:cluster-third:sf-1>sf-2:tcp:5703",
            "spotfire:cluster-third:sf-2>sf-1:tcp:5703",
            "spotfire:cluster:sf-1>sf-2:tcp:5701",
            "spotfire:cluster:sf-2>sf-1:tcp:5701",
        ]
    );
    let farm = run(&topo(vec![(
        "farm",
        group(&["spotfire/server"], &["10.0.0.0/28"]),
    )]));
    assert_eq!(
        cluster(&farm),
        [
            "spotfire:cluster-second:farm>farm:tcp:5702",
            "spotfire:cluster-third:farm>farm:tcp:5703",
            "spotfire:cluster:farm>farm:tcp:5701",
        ]
    );
}
