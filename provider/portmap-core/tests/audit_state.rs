//! Existing rules from `terraform show -json`: the fixtures in
//! `tests/fixtures/state/` are state JSON as Terraform prints it (hashicorp/aws
//! 6.x, azurerm 4.x, google 6.x attribute names and values); every expected
//! rule and skipped part below is worked out by hand from those files.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // reads files and the environment: test code, not the pure core

use portmap_core::audit::ExistingRule;
use portmap_core::audit::state::{FromState, GroupMap, from_state};

const APP_SG: &str = "sg-0a1b2c3d4e5f60001";
const SQL_SG: &str = "sg-0a1b2c3d4e5f60002";
const CLIENTS_SG: &str = "sg-0a1b2c3d4e5f60003";
const ASG_CLIENTS: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-tachyon/providers/Microsoft.Network/applicationSecurityGroups/asg-clients";

fn map() -> GroupMap {
    GroupMap::parse(&format!(
        "groups:\n  {APP_SG}: app\n  {SQL_SG}: sql\n  {CLIENTS_SG}: clients\n  nsg-app: app\n  nsg-sql: sql\n  tachyon-app: app\n  web: app\n  tachyon-sql: sql\n  app@tachyon-prod.iam.gserviceaccount.com: app\npeers:\n  pl-0c1d2e3f4a5b60009: clients\n  {ASG_CLIENTS}: clients\n  tachyon-clients: clients\n  clients@tachyon-prod.iam.gserviceaccount.com: clients\n"
    ))
    .unwrap()
}

fn load(name: &str) -> FromState {
    let path = format!("{}/tests/fixtures/state/{name}", env!("CARGO_MANIFEST_DIR"));
    from_state(&std::fs::read_to_string(path).unwrap(), &map()).unwrap()
}

/// (id, node, direction, protocol, ports, cidrs, peer)
type Expect<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<(i64, i64)>,
    &'a [&'a str],
    Option<&'a str>,
);

fn rule(e: Expect<'_>) -> ExistingRule {
    ExistingRule {
        id: e.0.into(),
        node: e.1.into(),
        direction: e.2.into(),
        protocol: e.3.into(),
        from_port: e.4.map(|p| p.0),
        to_port: e.4.map(|p| p.1),
        cidrs: e.5.iter().map(|c| c.to_string()).collect(),
        peer: e.6.map(str::to_string),
    }
}

fn assert_rules(got: &FromState, want: &[Expect<'_>]) {
    let want: Vec<ExistingRule> = want.iter().copied().map(rule).collect();
    let got = got.existing();
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "rule {i}");
    }
    assert_eq!(got.len(), want.len(), "{got:#?}");
}

fn skipped(got: &FromState) -> Vec<(&str, &str)> {
    got.skipped
        .iter()
        .map(|s| (s.id.as_str(), s.kind.as_str()))
        .collect()
}

#[test]
fn aws_rules_security_group_rules_and_inline_rules() {
    let s = load("aws.json");
    let none: &[&str] = &[];
    assert_rules(
        &s,
        &[
            // aws_security_group.app: two inline ingress blocks, one egress.
            (
                "aws_security_group.app#0",
                "app",
                "ingress",
                "tcp",
                Some((8443, 8443)),
                &["10.8.0.0/16"],
                None,
            ),
            (
                "aws_security_group.app#1",
                "app",
                "ingress",
                "tcp",
                Some((8443, 8443)),
                &["10.9.0.0/16"],
                None,
            ),
            (
                "aws_security_group.app#2",
                "app",
                "ingress",
                "all",
                None,
                none,
                Some("app"),
            ),
            (
                "aws_security_group.app#3",
                "app",
                "egress",
                "all",
                None,
                &["0.0.0.0/0"],
                None,
            ),
            (
                "aws_security_group.app#4",
                "app",
                "egress",
                "all",
                None,
                &["::/0"],
                None,
            ),
            // Protocol "6": three CIDRs, a prefix list, a source group, self.
            (
                "aws_security_group_rule.sql_mixed#0",
                "sql",
                "ingress",
                "tcp",
                Some((1433, 1434)),
                &["10.0.1.0/24"],
                None,
            ),
            (
                "aws_security_group_rule.sql_mixed#1",
                "sql",
                "ingress",
                "tcp",
                Some((1433, 1434)),
                &["10.0.3.0/24"],
                None,
            ),
            (
                "aws_security_group_rule.sql_mixed#2",
                "sql",
                "ingress",
                "tcp",
                Some((1433, 1434)),
                &["fd00:1::/64"],
                None,
            ),
            (
                "aws_security_group_rule.sql_mixed#3",
                "sql",
                "ingress",
                "tcp",
                Some((1433, 1434)),
                none,
                Some("clients"),
            ),
            (
                "aws_security_group_rule.sql_mixed#4",
                "sql",
                "ingress",
                "tcp",
                Some((1433, 1434)),
                none,
                Some("app"),
            ),
            (
                "aws_security_group_rule.sql_mixed#5",
                "sql",
                "ingress",
                "tcp",
                Some((1433, 1434)),
                none,
                Some("sql"),
            ),
            (
                "aws_vpc_security_group_egress_rule.app_all",
                "app",
                "egress",
                "all",
                None,
                &["::/0"],
                None,
            ),
            (
                "aws_vpc_security_group_ingress_rule.app_from_pl",
                "app",
                "ingress",
                "tcp",
                Some((443, 443)),
                none,
                Some("clients"),
            ),
            // ICMP type 8 code 0 is read as ICMP (the audit has no ICMP types).
            (
                "aws_vpc_security_group_ingress_rule.app_icmp",
                "app",
                "ingress",
                "icmp",
                None,
                &["10.0.0.0/8"],
                None,
            ),
            // Protocol "17", referencing the app's group.
            (
                "aws_vpc_security_group_ingress_rule.sql_from_app",
                "sql",
                "ingress",
                "udp",
                Some((1434, 1434)),
                none,
                Some("app"),
            ),
            // A child module, instance key "dns".
            (
                "module.legacy[\"eu\"].aws_vpc_security_group_ingress_rule.this[\"dns\"]",
                "clients",
                "ingress",
                "udp",
                Some((53, 53)),
                &["10.0.0.2/32"],
                None,
            ),
        ],
    );
    assert_eq!(
        skipped(&s),
        [
            ("aws_security_group.other", "unmapped_group"),
            ("aws_security_group_rule.sql_esp", "protocol"),
            (
                "aws_vpc_security_group_ingress_rule.app_unmapped_peer",
                "unmapped_peer"
            ),
            (
                "aws_vpc_security_group_ingress_rule.unmapped",
                "unmapped_group"
            ),
            (
                "module.legacy[\"eu\"].module.inner.aws_vpc_security_group_egress_rule.deep",
                "unmapped_peer"
            ),
        ]
    );
    assert_eq!(
        s.skipped[0].detail,
        "security group sg-0ffffffffffff0098 names no node (add it to the map's groups)"
    );
    assert_eq!(
        s.skipped[1].detail,
        "protocol \"50\": only tcp, udp, icmp and all (-1) are audited"
    );
    assert_eq!(
        s.skipped[2].detail,
        "referenced security group sg-0ffffffffffff0099 names no node (add it to the map's peers)"
    );
    // The rules remember their resource, and how many parts it has.
    let sql_mixed = &s.rules[5];
    assert_eq!(
        (
            sql_mixed.address.as_str(),
            sql_mixed.resource_type.as_str(),
            sql_mixed.parts,
            sql_mixed.group.as_str()
        ),
        (
            "aws_security_group_rule.sql_mixed",
            "aws_security_group_rule",
            6,
            SQL_SG
        )
    );
    assert_eq!(s.rules[11].parts, 1);
    // Only the mapped aws_security_group is a node's group.
    let groups: Vec<(&str, &str)> = s
        .security_groups
        .iter()
        .map(|g| (g.address.as_str(), g.node.as_str()))
        .collect();
    assert_eq!(groups, [("aws_security_group.app", "app")]);
}

#[test]
fn azure_rules_deny_and_tags_are_reported_not_guessed() {
    let s = load("azure.json");
    let none: &[&str] = &[];
    assert_rules(
        &s,
        &[
            // "*" everywhere: every protocol from every address.
            (
                "azurerm_network_security_rule.app_any",
                "app",
                "ingress",
                "all",
                None,
                &["0.0.0.0/0", "::/0"],
                None,
            ),
            (
                "azurerm_network_security_rule.app_asg#0",
                "app",
                "ingress",
                "tcp",
                Some((80, 80)),
                none,
                Some("clients"),
            ),
            // Two destination port ranges times two source prefixes; a
            // single address becomes a /32.
            (
                "azurerm_network_security_rule.app_https#0",
                "app",
                "ingress",
                "tcp",
                Some((443, 443)),
                &["10.8.0.0/16"],
                None,
            ),
            (
                "azurerm_network_security_rule.app_https#1",
                "app",
                "ingress",
                "tcp",
                Some((443, 443)),
                &["10.9.0.10/32"],
                None,
            ),
            (
                "azurerm_network_security_rule.app_https#2",
                "app",
                "ingress",
                "tcp",
                Some((4000, 4100)),
                &["10.8.0.0/16"],
                None,
            ),
            (
                "azurerm_network_security_rule.app_https#3",
                "app",
                "ingress",
                "tcp",
                Some((4000, 4100)),
                &["10.9.0.10/32"],
                None,
            ),
            // Outbound: the other end is the destination.
            (
                "azurerm_network_security_rule.sql_out",
                "sql",
                "egress",
                "icmp",
                None,
                &["10.0.1.10/32"],
                None,
            ),
        ],
    );
    assert_eq!(
        skipped(&s),
        [
            ("azurerm_network_security_rule.app_asg#1", "unmapped_peer"),
            ("azurerm_network_security_rule.app_deny", "deny"),
            ("azurerm_network_security_rule.app_esp", "protocol"),
            ("azurerm_network_security_rule.app_srcport", "source_ports"),
            ("azurerm_network_security_rule.app_vnet", "address_tag"),
            ("azurerm_network_security_rule.other", "unmapped_group"),
        ]
    );
    let detail = |id: &str| {
        s.skipped
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.detail.clone())
            .unwrap()
    };
    assert_eq!(
        detail("azurerm_network_security_rule.app_deny"),
        "access \"Deny\" at priority 4000: not an allow rule; it blocks what lower-priority allow rules of the group allow, which the audit does not subtract"
    );
    assert_eq!(
        detail("azurerm_network_security_rule.app_esp"),
        "protocol \"Esp\": only Tcp, Udp, Icmp and * are audited"
    );
    assert!(
        detail("azurerm_network_security_rule.app_vnet")
            .starts_with("address \"VirtualNetwork\" is a service tag"),
    );
    assert!(
        detail("azurerm_network_security_rule.app_srcport").starts_with("source ports 1024-65535:"),
    );
}

#[test]
fn gcp_rules_per_target_allow_block_port_and_range() {
    let s = load("gcp.json");
    let none: &[&str] = &[];
    assert_rules(
        &s,
        &[
            // Two target tags, both the app: the rule is there twice; the
            // unmapped source tag "bastion" is skipped (#2, #5).
            (
                "google_compute_firewall.app_all#0",
                "app",
                "ingress",
                "all",
                None,
                &["0.0.0.0/0"],
                None,
            ),
            (
                "google_compute_firewall.app_all#1",
                "app",
                "ingress",
                "all",
                None,
                none,
                Some("clients"),
            ),
            (
                "google_compute_firewall.app_all#3",
                "app",
                "ingress",
                "all",
                None,
                &["0.0.0.0/0"],
                None,
            ),
            (
                "google_compute_firewall.app_all#4",
                "app",
                "ingress",
                "all",
                None,
                none,
                Some("clients"),
            ),
            // udp without ports is every port; a target service account.
            (
                "google_compute_firewall.app_udp_all_ports#0",
                "app",
                "ingress",
                "udp",
                Some((0, 65535)),
                none,
                Some("clients"),
            ),
            (
                "google_compute_firewall.app_web#0",
                "app",
                "ingress",
                "tcp",
                Some((80, 80)),
                &["10.8.0.0/16"],
                None,
            ),
            (
                "google_compute_firewall.app_web#1",
                "app",
                "ingress",
                "tcp",
                Some((443, 443)),
                &["10.8.0.0/16"],
                None,
            ),
            (
                "google_compute_firewall.app_web#2",
                "app",
                "ingress",
                "tcp",
                Some((4000, 4100)),
                &["10.8.0.0/16"],
                None,
            ),
            (
                "google_compute_firewall.app_web#3",
                "app",
                "ingress",
                "icmp",
                None,
                &["10.8.0.0/16"],
                None,
            ),
            (
                "google_compute_firewall.sql_egress#0",
                "sql",
                "egress",
                "tcp",
                Some((1433, 1433)),
                &["10.0.1.10/32"],
                None,
            ),
            (
                "google_compute_firewall.sql_egress#1",
                "sql",
                "egress",
                "tcp",
                Some((1433, 1433)),
                &["fd00:1::10/128"],
                None,
            ),
        ],
    );
    assert_eq!(
        skipped(&s),
        [
            ("google_compute_firewall.app_all#2", "unmapped_peer"),
            ("google_compute_firewall.app_all#5", "unmapped_peer"),
            ("google_compute_firewall.app_udp_all_ports#1", "protocol"),
            ("google_compute_firewall.deny_ssh#0", "deny"),
            ("google_compute_firewall.deny_ssh#1", "deny"),
            ("google_compute_firewall.everyone", "no_target"),
            ("google_compute_firewall.old", "disabled"),
            ("google_compute_firewall.sql_egress_any", "no_peer"),
        ]
    );
    let details: Vec<&str> = s.skipped.iter().map(|x| x.detail.as_str()).collect();
    assert_eq!(
        details[0],
        "source tag or service account bastion names no node (add it to the map's peers)"
    );
    assert_eq!(
        details[2],
        "protocol \"sctp\": only tcp, udp, icmp and all are audited"
    );
    assert_eq!(
        details[3],
        "deny tcp 22: not an allow rule; it blocks what lower-priority allow rules allow, which the audit does not subtract"
    );
    assert!(
        details[4].starts_with("deny all: not an allow rule"),
        "{}",
        details[4]
    );
    assert_eq!(details[7], "no destination_ranges in the state");
}

#[test]
fn empty_states_plans_and_bad_input() {
    let m = GroupMap::default();
    let empty = from_state(r#"{"format_version":"1.0"}"#, &m).unwrap();
    assert!(empty.rules.is_empty() && empty.skipped.is_empty());
    let plan = from_state(
        r#"{"format_version":"1.2","planned_values":{"root_module":{}}}"#,
        &m,
    )
    .unwrap_err();
    assert!(plan.starts_with("this is a plan"), "{plan}");
    assert!(
        from_state("[]", &m)
            .unwrap_err()
            .contains("expected an object")
    );
    assert!(from_state("{", &m).unwrap_err().starts_with("not JSON"));
    // Data sources are not rules.
    let data = r#"{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"data.aws_vpc_security_group_rule.x","mode":"data","type":"aws_vpc_security_group_rule","name":"x","values":{}}]}}}"#;
    assert!(from_state(data, &m).unwrap().skipped.is_empty());
    // A map with a misspelt section is an error.
    assert!(GroupMap::parse("group:\n  sg-1: app\n").is_err());
    let m = GroupMap::parse("groups:\n  sg-1: ap\npeers:\n  pl-1: app\n").unwrap();
    assert_eq!(m.unknown_nodes(&["app"]), [("groups", "sg-1", "ap")]);
}
