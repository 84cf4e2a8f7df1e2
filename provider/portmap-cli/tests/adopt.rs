//! `portmap existing`, `portmap audit --from-state` and `portmap adopt` on
//! examples/adopt: the quickstart's rules written by hand (11 rules in
//! examples/adopt/existing/main.tf, its state in show.json). Every expected
//! value is worked out by hand from those files and the quickstart's ten
//! AWS rules (tests/previous-release/quickstart/aws.json).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use common::{ok, portmap, root};

const TOPOLOGY: &str = "examples/audit/topology.yaml";
const STATE: &str = "examples/adopt/existing/show.json";
const MAP: &str = "examples/adopt/map.yaml";

fn adopt_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "adopt",
        TOPOLOGY,
        "--from-state",
        STATE,
        "--map",
        MAP,
        "--group-resource",
        "node",
    ];
    v.extend_from_slice(extra);
    v
}

#[test]
fn the_example_moved_blocks_are_current() {
    let r = portmap(&adopt_args(&[]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = std::fs::read_to_string(root().join("examples/adopt/portmap/moved.tf")).unwrap();
    assert_eq!(
        r.stdout, file,
        "examples/adopt/portmap/moved.tf is stale: rerun the command in examples/adopt/portmap/main.tf"
    );
    assert!(
        r.stderr
            .contains("examples/adopt/existing/show.json: 6 rules moved, 1 imported, 0 already in place, 4 to change, 3 to create"),
        "{}",
        r.stderr
    );
}

#[test]
fn six_move_one_is_imported_four_change_three_are_created() {
    let j: serde_json::Value =
        serde_json::from_str(&ok(&adopt_args(&["--format", "json"]))).unwrap();
    let pairs = |k: &str| -> Vec<(String, String)> {
        j[k].as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["from"].as_str().unwrap().to_string(),
                    m["to"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let p = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        pairs("group_moves"),
        [
            p("aws_security_group.app", "aws_security_group.node[\"app\"]"),
            p(
                "aws_security_group.clients",
                "aws_security_group.node[\"clients\"]"
            ),
            p("aws_security_group.sql", "aws_security_group.node[\"sql\"]"),
        ]
    );
    assert_eq!(
        pairs("moves"),
        [
            p(
                "aws_vpc_security_group_egress_rule.app_to_sql",
                "aws_vpc_security_group_egress_rule.this[\"app:egress:sql:tcp:1433:10.0.2.10/32\"]"
            ),
            p(
                "aws_vpc_security_group_egress_rule.clients_web[\"443\"]",
                "aws_vpc_security_group_egress_rule.this[\"clients:egress:app:tcp:443:10.0.1.10/32\"]"
            ),
            p(
                "aws_vpc_security_group_egress_rule.clients_web[\"80\"]",
                "aws_vpc_security_group_egress_rule.this[\"clients:egress:app:tcp:80:10.0.1.10/32\"]"
            ),
            p(
                "aws_vpc_security_group_ingress_rule.app_http",
                "aws_vpc_security_group_ingress_rule.this[\"app:ingress:clients:tcp:80:10.8.0.0/16\"]"
            ),
            p(
                "aws_vpc_security_group_ingress_rule.app_https",
                "aws_vpc_security_group_ingress_rule.this[\"app:ingress:clients:tcp:443:10.8.0.0/16\"]"
            ),
            p(
                "aws_vpc_security_group_ingress_rule.sql_from_app",
                "aws_vpc_security_group_ingress_rule.this[\"sql:ingress:app:tcp:1433:10.0.1.10/32\"]"
            ),
        ]
    );
    // Exactly portmap's udp/1434 rule, but another resource type: it is
    // forgotten and imported by its security group rule id.
    assert_eq!(
        j["imports"],
        serde_json::json!([{
            "removed": "aws_security_group_rule.app_to_sql_browser",
            "to": "aws_vpc_security_group_egress_rule.this[\"app:egress:sql:udp:1434:10.0.2.10/32\"]",
            "id": "sgr-0f9e8d7c6b5a40101",
            "key": "app:egress:sql:udp:1434:10.0.2.10/32"
        }])
    );
    let change: Vec<&str> = j["change"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        change,
        [
            // Every protocol to everywhere.
            "aws_vpc_security_group_egress_rule.clients_all",
            // No flow needs SSH.
            "aws_vpc_security_group_ingress_rule.app_ssh",
            // 4000-4100 where 4100 is needed.
            "aws_vpc_security_group_ingress_rule.app_switch",
            // The app's /24 where its /32 is needed.
            "aws_vpc_security_group_ingress_rule.sql_browser",
        ]
    );
    assert_eq!(
        j["change"][2]["reason"],
        "no portmap rule is exactly app tcp 4000-4100 from 10.8.0.0/16"
    );
    assert_eq!(
        j["create"],
        serde_json::json!([
            "app:ingress:clients:tcp:4100:10.8.0.0/16",
            "clients:egress:app:tcp:4100:10.0.1.10/32",
            "sql:ingress:app:udp:1434:10.0.1.10/32"
        ])
    );
    assert_eq!(j["in_place"], serde_json::json!([]));
    assert_eq!(j["skipped"], serde_json::json!([]));
}

#[test]
fn a_module_and_another_resource_name() {
    let out = ok(&[
        "adopt",
        TOPOLOGY,
        "--from-state",
        STATE,
        "--map",
        MAP,
        "--resource-name",
        "rule",
        "--module",
        "module.firewall",
    ]);
    assert!(out.contains("moved {\n  from = aws_vpc_security_group_ingress_rule.app_https\n  to   = module.firewall.aws_vpc_security_group_ingress_rule.rule[\"app:ingress:clients:tcp:443:10.8.0.0/16\"]\n}\n"), "{out}");
    assert!(!out.contains("aws_security_group.app\n"), "{out}");
}

#[test]
fn existing_prints_the_list_audit_reads() {
    let yaml = ok(&["existing", "--from-state", STATE, "--map", MAP]);
    assert!(yaml.starts_with(
        "# Existing rules read from examples/adopt/existing/show.json by `portmap existing`: 11 rules, 0 parts skipped.\n"
    ));
    assert!(yaml.contains("- { id: \"aws_vpc_security_group_egress_rule.clients_web[\\\"443\\\"]\", node: \"clients\", direction: egress, protocol: tcp, from_port: 443, to_port: 443, cidrs: [\"10.0.1.10/32\"] }\n"), "{yaml}");
    assert!(yaml.contains("- { id: \"aws_vpc_security_group_egress_rule.clients_all\", node: \"clients\", direction: egress, protocol: all, cidrs: [\"0.0.0.0/0\"] }\n"), "{yaml}");
    // The printed list, audited, is the audit of the state.
    let file = std::env::temp_dir().join(format!("portmap-existing-{}.yaml", std::process::id()));
    std::fs::write(&file, &yaml).unwrap();
    for format in ["json", "table", "markdown", "csv"] {
        let from_file = portmap(&[
            "audit",
            TOPOLOGY,
            file.to_str().unwrap(),
            "--format",
            format,
        ]);
        let from_state = portmap(&[
            "audit",
            TOPOLOGY,
            "--from-state",
            STATE,
            "--map",
            MAP,
            "--format",
            format,
        ]);
        assert_eq!(from_file.code, 0, "{}", from_file.stderr);
        assert_eq!(from_state.code, 0, "{}", from_state.stderr);
        assert_eq!(from_file.stdout, from_state.stdout, "{format}");
    }
    let _ = std::fs::remove_file(&file);
    let j: serde_json::Value = serde_json::from_str(&ok(&[
        "audit",
        TOPOLOGY,
        "--from-state",
        STATE,
        "--map",
        MAP,
        "--format",
        "json",
    ]))
    .unwrap();
    let s = &j["summary"];
    // Justified: the six that move and the aws_security_group_rule (exact
    // but of another type); narrow: the Switch range, SQL Browser from the
    // /24, the clients' allow-all egress; delete: SSH. Nothing missing.
    assert_eq!(
        [
            &s["existing_rules"],
            &s["justified_rules"],
            &s["rules_to_narrow"],
            &s["rules_to_delete"],
            &s["missing_rules"]
        ],
        [11, 7, 3, 1, 0]
    );
}

#[test]
fn skipped_parts_are_reported() {
    let dir = std::env::temp_dir().join(format!("portmap-adopt-skip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The state without the clients' group in the map.
    let map = dir.join("map.yaml");
    std::fs::write(
        &map,
        "groups:\n  sg-0a1b2c3d4e5f60001: app\n  sg-0a1b2c3d4e5f60002: sql\n",
    )
    .unwrap();
    let r = portmap(&[
        "existing",
        "--from-state",
        STATE,
        "--map",
        map.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("8 rules, 3 parts skipped"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("#   aws_vpc_security_group_egress_rule.clients_all (unmapped_group): security group sg-0a1b2c3d4e5f60003 names no node (add it to the map's groups)\n"), "{}", r.stdout);
    assert!(r.stderr.contains("examples/adopt/existing/show.json: warning: skipped aws_vpc_security_group_egress_rule.clients_web[\"80\"] (unmapped_group)"), "{}", r.stderr);
    // A map naming a node the topology does not have.
    std::fs::write(&map, "groups:\n  sg-0a1b2c3d4e5f60001: ap\n").unwrap();
    let r = portmap(&[
        "audit",
        TOPOLOGY,
        "--from-state",
        STATE,
        "--map",
        map.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "groups[\"sg-0a1b2c3d4e5f60001\"]: unknown node \"ap\". Did you mean \"app\"?"
        ),
        "{}",
        r.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_command_line_forms() {
    // EXISTING or --from-state, not both; --from-state needs --map.
    let r = portmap(&[
        "audit",
        TOPOLOGY,
        "examples/audit/existing.yaml",
        "--from-state",
        STATE,
        "--map",
        MAP,
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = portmap(&["audit", TOPOLOGY, "--from-state", STATE]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = portmap(&["audit", TOPOLOGY]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = portmap(&[
        "existing",
        "--from-state",
        "examples/audit/existing.yaml",
        "--map",
        MAP,
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .starts_with("examples/audit/existing.yaml: error: not JSON of `terraform show -json`"),
        "{}",
        r.stderr
    );
    for (cmd, needles) in [
        (
            "audit",
            &[
                "--from-state <STATE.json>",
                "portmap audit examples/audit/topology.yaml --from-state",
            ][..],
        ),
        (
            "existing",
            &[
                "azurerm_network_security_rule",
                "groups:",
                "portmap existing --from-state examples/adopt/existing/show.json --map",
            ][..],
        ),
        (
            "adopt",
            &[
                "--resource-name <NAME>",
                "[default: this]",
                "portmap adopt examples/audit/topology.yaml --from-state",
            ][..],
        ),
    ] {
        let help = ok(&[cmd, "--help"]);
        for n in needles {
            assert!(help.contains(n), "{cmd}: {n}:\n{help}");
        }
    }
}

/// The Terraform to run: `$PORTMAP_TERRAFORM`, else none (the test is
/// skipped).
fn terraform() -> Option<PathBuf> {
    std::env::var_os("PORTMAP_TERRAFORM")
        .map(PathBuf::from)
        .filter(|p| p.exists())
}

fn tf(bin: &PathBuf, dir: &PathBuf, args: &[&str]) -> String {
    let out = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "terraform {args:?}:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `aws_x.name` → `terraform_data.aws_x__name` in an address.
fn as_terraform_data(address: &str) -> String {
    let (ty, rest) = address.split_once('.').unwrap();
    format!("terraform_data.{ty}__{rest}")
}

/// What an AWS rule allows, in words: equal for the old and new resource
/// of a rule that is kept.
fn content(
    node: &str,
    dir: &str,
    proto: &str,
    from: &serde_json::Value,
    to: &serde_json::Value,
    peer: &str,
) -> String {
    format!("{node} {dir} {proto} {from}-{to} {peer}")
}

/// Real Terraform plans the move. The AWS provider cannot be downloaded
/// here, so every resource is a `terraform_data` named after its AWS type
/// (`terraform_data.aws_vpc_security_group_ingress_rule__app_https`), its
/// input what the rule allows; the moved blocks are the example's, with
/// the same renaming; `terraform_data` cannot be imported, so the
/// `removed` and `import` blocks are left out, and the imported rule is
/// planned as a deletion and a creation instead. Applying today's
/// resources and planning the portmap shape with the moved blocks must
/// move the 3 groups and 6 rules with no change, delete the 4 rules that
/// must change (and the imported one), create the 3 new rules (and the
/// imported one), and replace nothing.
#[test]
fn terraform_plans_moves_and_replaces_nothing() {
    let Some(bin) = terraform() else {
        eprintln!("skipped: set PORTMAP_TERRAFORM to a Terraform binary");
        return;
    };
    let nodes: BTreeMap<&str, &str> = [
        ("sg-0a1b2c3d4e5f60001", "app"),
        ("sg-0a1b2c3d4e5f60002", "sql"),
        ("sg-0a1b2c3d4e5f60003", "clients"),
    ]
    .into();
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(STATE)).unwrap()).unwrap();
    // Today's resources, grouped by resource (instances by key).
    let mut old: BTreeMap<String, Vec<(Option<String>, String)>> = BTreeMap::new();
    for r in state["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
    {
        let (ty, name, v) = (
            r["type"].as_str().unwrap(),
            r["name"].as_str().unwrap(),
            &r["values"],
        );
        let input = match ty {
            "aws_security_group" => format!("group {}", nodes[v["id"].as_str().unwrap()]),
            "aws_vpc_security_group_ingress_rule" | "aws_vpc_security_group_egress_rule" => {
                content(
                    nodes[v["security_group_id"].as_str().unwrap()],
                    if ty.contains("ingress") {
                        "ingress"
                    } else {
                        "egress"
                    },
                    v["ip_protocol"].as_str().unwrap(),
                    &v["from_port"],
                    &v["to_port"],
                    v["cidr_ipv4"].as_str().unwrap(),
                )
            }
            _ => r["address"].as_str().unwrap().to_string(),
        };
        old.entry(format!("{ty}__{name}"))
            .or_default()
            .push((r["index"].as_str().map(str::to_string), input));
    }
    let block = |name: &str, instances: &[(Option<String>, String)]| -> String {
        match instances {
            [(None, input)] => {
                format!("resource \"terraform_data\" \"{name}\" {{\n  input = {input:?}\n}}\n")
            }
            many => {
                let items: Vec<String> = many
                    .iter()
                    .map(|(k, v)| format!("    {:?} = {v:?}", k.as_ref().unwrap()))
                    .collect();
                format!(
                    "resource \"terraform_data\" \"{name}\" {{\n  for_each = {{\n{}\n  }}\n  input = each.value\n}}\n",
                    items.join("\n")
                )
            }
        }
    };
    // The example's files, moved.tf with its removed and import blocks
    // included, are HCL as Terraform writes it.
    tf(
        &bin,
        &root().join("examples/adopt"),
        &["fmt", "-check", "-recursive"],
    );
    let dir = std::env::temp_dir().join(format!("portmap-adopt-tf-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let today: String = old.iter().map(|(n, i)| block(n, i)).collect();
    std::fs::write(dir.join("main.tf"), today).unwrap();
    tf(
        &bin,
        &dir,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );

    // The portmap shape: the quickstart's AWS rules of release 0.1.0.
    // The file is the rules as JSON, then the issues, if any.
    let text = std::fs::read_to_string(
        root().join("provider/portmap-cli/tests/previous-release/quickstart/aws.json"),
    )
    .unwrap();
    let aws: serde_json::Value = serde_json::Deserializer::from_str(&text)
        .into_iter()
        .next()
        .unwrap()
        .unwrap();
    let mut by_dir: BTreeMap<&str, Vec<(Option<String>, String)>> = BTreeMap::new();
    for (k, r) in aws.as_object().unwrap() {
        let d = r["direction"].as_str().unwrap();
        by_dir.entry(d).or_default().push((
            Some(k.clone()),
            content(
                r["node"].as_str().unwrap(),
                d,
                r["ip_protocol"].as_str().unwrap(),
                &r["from_port"],
                &r["to_port"],
                r["cidr_ipv4"].as_str().unwrap(),
            ),
        ));
    }
    let mut shape = block(
        "aws_security_group__node",
        &["app", "clients", "sql"].map(|n| (Some(n.to_string()), format!("group {n}"))),
    );
    for (d, rules) in &by_dir {
        shape.push_str(&block(
            &format!("aws_vpc_security_group_{d}_rule__this"),
            rules,
        ));
    }
    let moved = std::fs::read_to_string(root().join("examples/adopt/portmap/moved.tf")).unwrap();
    // Up to the removed and import blocks.
    let moved = moved
        .split("\n# Rules of another resource type")
        .next()
        .unwrap();
    assert!(!moved.contains("removed {") && !moved.contains("import {"));
    let moved: String = moved
        .lines()
        .map(|l| match l.split_once("= ") {
            Some((head, addr)) if l.starts_with("  from") || l.starts_with("  to") => {
                format!("{head}= {}\n", as_terraform_data(addr))
            }
            _ => format!("{l}\n"),
        })
        .collect();
    std::fs::write(dir.join("main.tf"), shape).unwrap();
    std::fs::write(dir.join("moved.tf"), moved).unwrap();
    tf(
        &bin,
        &dir,
        &["plan", "-input=false", "-no-color", "-out=plan.bin"],
    );
    let plan: serde_json::Value =
        serde_json::from_str(&tf(&bin, &dir, &["show", "-json", "plan.bin"])).unwrap();
    let (mut moved, mut deleted, mut created) = (Vec::new(), Vec::new(), Vec::new());
    for rc in plan["resource_changes"].as_array().unwrap() {
        let address = rc["address"].as_str().unwrap().to_string();
        let actions: Vec<&str> = rc["change"]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        match (rc["previous_address"].as_str(), actions.as_slice()) {
            (Some(from), ["no-op"]) => moved.push((from.to_string(), address)),
            (None, ["delete"]) => deleted.push(address),
            (None, ["create"]) => created.push(address),
            other => panic!("{address}: unexpected {other:?}"),
        }
    }
    assert_eq!(moved.len(), 9, "{moved:?}");
    assert!(moved.contains(&(
        "terraform_data.aws_vpc_security_group_egress_rule__clients_web[\"80\"]".to_string(),
        "terraform_data.aws_vpc_security_group_egress_rule__this[\"clients:egress:app:tcp:80:10.0.1.10/32\"]".to_string()
    )));
    deleted.sort();
    assert_eq!(
        deleted,
        [
            "terraform_data.aws_security_group_rule__app_to_sql_browser",
            "terraform_data.aws_vpc_security_group_egress_rule__clients_all",
            "terraform_data.aws_vpc_security_group_ingress_rule__app_ssh",
            "terraform_data.aws_vpc_security_group_ingress_rule__app_switch",
            "terraform_data.aws_vpc_security_group_ingress_rule__sql_browser",
        ]
    );
    created.sort();
    assert_eq!(
        created,
        [
            "terraform_data.aws_vpc_security_group_egress_rule__this[\"app:egress:sql:udp:1434:10.0.2.10/32\"]",
            "terraform_data.aws_vpc_security_group_egress_rule__this[\"clients:egress:app:tcp:4100:10.0.1.10/32\"]",
            "terraform_data.aws_vpc_security_group_ingress_rule__this[\"app:ingress:clients:tcp:4100:10.8.0.0/16\"]",
            "terraform_data.aws_vpc_security_group_ingress_rule__this[\"sql:ingress:app:udp:1434:10.0.1.10/32\"]",
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
