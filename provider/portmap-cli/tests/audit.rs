//! `portmap audit` on the brownfield example (examples/audit): the numbers
//! worked out by hand from the quickstart's ten rules and the eleven
//! existing ones (see the comments).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

fn portmap(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_portmap"))
        .args(args)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const FILES: [&str; 3] = [
    "audit",
    "examples/audit/topology.yaml",
    "examples/audit/existing.yaml",
];

#[test]
fn the_brownfield_example_in_every_format() {
    let (code, out, err) = portmap(&[FILES[0], FILES[1], FILES[2], "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let s = &j["summary"];
    // Justified: sg-app/sgr-5, sg-sql/sgr-2 (peer rules on 1434/udp) and
    // sg-clients/web; deleted: SSH, RDP, 1433-1434 from the clients, ICMP.
    assert_eq!(s["existing_rules"], 11);
    assert_eq!(s["justified_rules"], 3);
    assert_eq!(s["rules_to_narrow"], 4);
    assert_eq!(s["rules_to_delete"], 4);
    assert_eq!(s["missing_rules"], 0);
    assert_eq!(s["flows_allowed"], 10);
    // Allowed IPv4 pairs: app ingress 65536 x 2^32; app egress 256 + 1;
    // sql ingress 131072 (1433) + 65536 (1434) + 1 (udp) + 2^24 (ICMP);
    // clients egress (2 x 65536 + 2) x 2^32. Required: 3 x 65536 + 2 + 2 + 3.
    assert_eq!(
        s["allowed_space_ipv4"].as_f64().unwrap(),
        844_433_537_040_642.0
    );
    assert_eq!(
        s["excess_space_ipv4"].as_f64().unwrap(),
        844_433_537_040_642.0 - 196_615.0
    );
    // Any address first (the larger space first), then the rules whose
    // excess holds well-known sensitive ports (SSH 2^24, RDP 2^24, 1433 and
    // 1434 from 10.8/16, then 1433/tcp SQL Server from 65535 and 255
    // addresses), then ICMP from 10/8.
    let order: Vec<&str> = j["excess"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "sg-clients/egress",
            "sg-app/sgr-1",
            "sg-app/sgr-2",
            "sg-app/sgr-3",
            "sg-sql/sgr-3",
            "sg-sql/sgr-1",
            "sg-app/sgr-4",
            "sg-sql/sgr-4"
        ]
    );
    assert!(err.contains("existing[0]: Risk: existing rule \"sg-app/sgr-1\" opens administration or database ports"), "{err}");

    let (code, md, _) = portmap(&[FILES[0], FILES[1], FILES[2], "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(md.starts_with(
        "# Firewall clean-up request\n\nExisting rules: 11 (3 justified, 4 to narrow, 4 to delete)."
    ));
    assert!(md.contains("| delete | sg-app/sgr-2 | app | ingress | tcp | 22 | 10.0.0.0/8 | no flow needs it; tcp/22 (SSH) |"), "{md}");
    let (code, csv, _) = portmap(&[FILES[0], FILES[1], FILES[2], "--format", "csv"]);
    assert_eq!(code, 0);
    assert!(
        csv.contains("delete,sg-sql/sgr-4,sql,ingress,icmp,all,10.0.0.0/8,no flow needs it"),
        "{csv}"
    );
    let (code, table, _) = portmap(&[FILES[0], FILES[1], FILES[2]]);
    assert_eq!(code, 0);
    assert!(
        table.contains("IPv4 99.99999998% (844433536844027 of 844433537040642 pairs)"),
        "{table}"
    );
}

#[test]
fn a_bad_existing_file_is_an_error_naming_the_rule() {
    let bad = std::env::temp_dir().join(format!("portmap-audit-bad-{}.yaml", std::process::id()));
    std::fs::write(&bad, "- { id: r1, node: ap, direction: ingress, protocol: tcp, from_port: 443, to_port: 80, cidrs: [10.0.0.0/8] }\n").unwrap();
    let (code, _, err) = portmap(&[FILES[0], FILES[1], bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("existing[0].node: Unknown node \"ap\""),
        "{err}"
    );
    assert!(
        err.contains("existing[0].to_port: Reversed port range 443-80"),
        "{err}"
    );
    let _ = std::fs::remove_file(&bad);
}
