//! The firewall-request export, checked against a hand-written expectation
//! for the Tachyon 5 scenario (tests/expected/tachyon-5-request.md: every
//! row's ports and vendor rows were read off 000_bf0563822ff91805.txt; the
//! three flows tachyon > sql tcp/1433 are one row naming their three
//! purposes and four vendor rows).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn portmap(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_portmap"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn markdown_request_for_the_tachyon_scenario_is_exactly_the_hand_written_one() {
    let (code, stdout, stderr) = portmap(&[
        "flows",
        "examples/tachyon-5/topology.yaml",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let expected = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/expected/tachyon-5-request.md"),
    )
    .unwrap();
    assert_eq!(stdout, expected);
}

#[test]
fn csv_request_has_the_same_rows_quoted() {
    let (code, stdout, stderr) = portmap(&[
        "flows",
        "examples/tachyon-5/topology.yaml",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines.len(),
        15,
        "header + 14 connections (16 flows, three of them tachyon > sql tcp 1433)"
    );
    assert_eq!(
        lines[0],
        "Source,Source CIDRs,Source exposure,Destination,Destination CIDRs,Destination exposure,Protocol,Ports,Application protocol,Purpose,Condition,Vendor reference,Risks"
    );
    assert!(lines.contains(
        &"endpoints,10.20.0.0/16,internal,tachyon,10.10.1.10/32,internal,TCP,4000,WebSocket Secure (wss),tachyon-5: Tachyon clients to the Switch (instructions and compressed responses),always,\"000_bf0563822ff91805.txt, \"\"Tachyon Servers\"\" row 6; \"\"Tachyon clients\"\" row 1\","
    ));
}

#[test]
fn json_flows_are_the_data_source_objects() {
    let (code, stdout, _) = portmap(&[
        "flows",
        "examples/plossys/topology.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rule = &v["rules"]["oe-1:ingress:prometheus:tcp:1948"];
    assert_eq!(rule["node"], "oe-1");
    assert_eq!(rule["direction"], "ingress");
    assert_eq!(rule["peer_cidrs"], serde_json::json!(["10.100.9.10/32"]));
    assert_eq!(rule["from_port"], 1948);
    assert_eq!(rule["to_port"], 1948);
    let flow = v["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "plossys:monitoring-metrics:prometheus>oe-1:tcp:1948")
        .unwrap();
    assert_eq!(
        flow["citation"],
        "004_5e068018b195e0b7.txt, \"Single Server Installation\" row 4; \"Cluster Installation\" row 10"
    );
    assert_eq!(flow["condition"], "monitoring");
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["flows", "rules", "unresolved"]);
}
