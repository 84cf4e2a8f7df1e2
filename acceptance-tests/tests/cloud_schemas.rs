//! The cloud resources of the examples against the real provider schemas.
//!
//! The examples in examples/aws, examples/azure and examples/gcp (and any
//! other example) create AWS, Azure and Google Cloud resources, which no test
//! can apply offline. Their arguments are checked instead against facts
//! extracted from the providers' schemas: `acceptance-tests/schema-facts/
//! {aws,azurerm,google}.json`, written by `scripts/schema-facts` from the
//! CDKTF prebuilt bindings on npm (`@cdktf/provider-*`, generated from the
//! provider's schema; the package and provider versions head each file).
//! Every argument and nested block an example sets must exist in its
//! resource type, every required argument and block must be set, and every
//! cloud resource type must have facts. The checker itself is tested on
//! deliberately wrong configurations, so that it can fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, Body};
use portmap_acceptance_tests::repo_root;
use serde_json::Value as Json;

/// The providers with facts, by local name (the resource type prefix).
const PROVIDERS: [&str; 3] = ["aws", "azurerm", "google"];
/// Resource types of this provider, whose schema other tests check.
const OWN_PREFIX: &str = "portmap_";
/// Arguments and blocks Terraform itself gives every resource.
const META_ARGUMENTS: [&str; 4] = ["count", "for_each", "provider", "depends_on"];
const META_BLOCKS: [&str; 3] = ["lifecycle", "provisioner", "connection"];
/// The arguments of a `dynamic` block besides its `content`.
const DYNAMIC_ARGUMENTS: [&str; 3] = ["for_each", "iterator", "labels"];

/// The facts of every provider, by local name.
fn facts() -> BTreeMap<String, Json> {
    let dir = repo_root().join("acceptance-tests").join("schema-facts");
    PROVIDERS
        .iter()
        .map(|p| {
            let path = dir.join(format!("{p}.json"));
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let v: Json =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            ((*p).to_string(), v)
        })
        .collect()
}

/// The schema of a resource type, when the facts have it.
fn resource_schema<'a>(facts: &'a BTreeMap<String, Json>, ty: &str) -> Option<&'a Json> {
    let provider = ty.split('_').next()?;
    facts.get(provider)?["resources"].get(ty)
}

/// The label of a block at `i`, if any.
fn label(block: &Block, i: usize) -> Option<&str> {
    block.labels.get(i).map(|l| l.as_str())
}

/// Checks a (nested) block body against its schema: unknown arguments and
/// blocks, arguments set as blocks or blocks set as arguments, and missing
/// required arguments and blocks. `at` names the body in messages.
fn check_body(schema: &Json, body: &Body, at: &str, top: bool, problems: &mut Vec<String>) {
    let arguments = schema["arguments"].as_object().expect("arguments");
    let blocks = schema["blocks"].as_object().expect("blocks");
    let mut set_blocks = BTreeSet::new();
    for attr in body.attributes() {
        let key = attr.key.as_str();
        if top && META_ARGUMENTS.contains(&key) {
            continue;
        }
        if blocks.contains_key(key) {
            problems.push(format!(
                "{at}: `{key}` is a nested block, not an argument (write `{key} {{ ... }}`)"
            ));
        } else if !arguments.contains_key(key) {
            problems.push(format!("{at}: unknown argument `{key}`"));
        }
    }
    for block in body.blocks() {
        let ident = block.ident.as_str();
        if top && META_BLOCKS.contains(&ident) {
            continue;
        }
        let (name, inner) = if ident == "dynamic" {
            let Some(name) = label(block, 0) else {
                problems.push(format!("{at}: a dynamic block without a label"));
                continue;
            };
            for attr in block.body.attributes() {
                if !DYNAMIC_ARGUMENTS.contains(&attr.key.as_str()) {
                    problems.push(format!(
                        "{at}.dynamic[{name}]: unknown argument `{}`",
                        attr.key.as_str()
                    ));
                }
            }
            let Some(content) = block.body.get_blocks("content").next() else {
                problems.push(format!("{at}.dynamic[{name}]: no content block"));
                continue;
            };
            (name, &content.body)
        } else {
            (ident, &block.body)
        };
        set_blocks.insert(name.to_string());
        match blocks.get(name) {
            Some(inner_schema) => {
                check_body(
                    inner_schema,
                    inner,
                    &format!("{at}.{name}"),
                    false,
                    problems,
                );
            }
            None if arguments.contains_key(name) => problems.push(format!(
                "{at}: `{name}` is an argument, not a nested block (write `{name} = ...`)"
            )),
            None => problems.push(format!("{at}: unknown nested block `{name}`")),
        }
    }
    for (name, arg) in arguments {
        if arg["required"] == true && !body.has_attribute(name) {
            problems.push(format!("{at}: missing required argument `{name}`"));
        }
    }
    for (name, block) in blocks {
        if block["required"] == true && !set_blocks.contains(name) {
            problems.push(format!("{at}: missing required block `{name}`"));
        }
    }
}

/// Checks every `resource` block of a configuration; returns the resource
/// types it checked against facts.
fn check_configuration(
    facts: &BTreeMap<String, Json>,
    text: &str,
    file: &str,
    problems: &mut Vec<String>,
) -> BTreeSet<String> {
    let body: Body = text
        .parse()
        .unwrap_or_else(|e| panic!("{file} does not parse: {e}"));
    let mut checked = BTreeSet::new();
    for block in body.get_blocks("resource") {
        let (Some(ty), Some(name)) = (label(block, 0), label(block, 1)) else {
            problems.push(format!("{file}: a resource block without type and name"));
            continue;
        };
        let at = format!("{file}: {ty}.{name}");
        if ty.starts_with(OWN_PREFIX) {
            continue;
        }
        match resource_schema(facts, ty) {
            Some(schema) => {
                check_body(schema, &block.body, &at, true, problems);
                checked.insert(ty.to_string());
            }
            None => problems.push(format!(
                "{at}: no schema facts for resource type {ty} (run scripts/schema-facts)"
            )),
        }
    }
    checked
}

/// The version constraints of `required_providers`, by local name.
fn version_constraints(text: &str) -> BTreeMap<String, String> {
    let body: Body = text.parse().unwrap();
    let mut out = BTreeMap::new();
    for terraform in body.get_blocks("terraform") {
        for rp in terraform.body.get_blocks("required_providers") {
            for attr in rp.body.attributes() {
                let Some(object) = attr.value.as_object() else {
                    continue;
                };
                for (key, value) in object {
                    let is_version = match key {
                        ObjectKey::Ident(i) => i.as_str() == "version",
                        ObjectKey::Expression(e) => e.as_str() == Some("version"),
                    };
                    if let (true, Expression::String(s)) = (is_version, value.expr()) {
                        out.insert(attr.key.as_str().to_string(), s.as_str().to_string());
                    }
                }
            }
        }
    }
    out
}

fn numbers(version: &str) -> Vec<u64> {
    version
        .trim()
        .split('.')
        .map(|n| {
            n.parse()
                .unwrap_or_else(|_| panic!("not a version: {version}"))
        })
        .collect()
}

/// Whether a version satisfies a Terraform version constraint (the
/// operators `=`, `!=`, `>`, `>=`, `<`, `<=`, `~>`, comma-separated).
fn satisfies(version: &str, constraint: &str) -> bool {
    let pad = |mut v: Vec<u64>| {
        v.resize(3, 0);
        v
    };
    let have = pad(numbers(version));
    constraint.split(',').all(|c| {
        let c = c.trim();
        let op_len = c
            .find(|ch: char| ch.is_ascii_digit())
            .unwrap_or_else(|| panic!("not a constraint: {c}"));
        let (op, v) = (c[..op_len].trim(), &c[op_len..]);
        let given = numbers(v);
        let want = pad(given.clone());
        match op {
            "" | "=" => have == want,
            "!=" => have != want,
            ">" => have > want,
            ">=" => have >= want,
            "<" => have < want,
            "<=" => have <= want,
            "~>" => {
                // The last given component may grow: ~> 5.30 is >= 5.30, < 6.
                let mut upper = given[..given.len().saturating_sub(1).max(1)].to_vec();
                if given.len() == 1 {
                    upper = vec![u64::MAX];
                } else {
                    *upper.last_mut().unwrap() += 1;
                }
                have >= want && have < pad(upper)
            }
            _ => panic!("unknown operator in {c}"),
        }
    })
}

/// Every `.tf` file under a directory, sorted.
fn tf_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            tf_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "tf") {
            out.push(path);
        }
    }
}

#[test]
fn the_facts_name_their_package_and_provider_version() {
    for (local, f) in facts() {
        let package = f["package"]["name"].as_str().unwrap();
        assert_eq!(package, format!("@cdktf/provider-{local}"));
        numbers(f["package"]["version"].as_str().unwrap());
        assert_eq!(f["provider"]["local_name"], local.as_str());
        assert_eq!(
            f["provider"]["source"],
            format!("registry.terraform.io/hashicorp/{local}").as_str()
        );
        numbers(f["provider"]["version"].as_str().unwrap());
        let resources = f["resources"].as_object().unwrap();
        assert!(!resources.is_empty(), "{local}: no resources");
        for (ty, schema) in resources {
            assert!(ty.starts_with(&format!("{local}_")), "{local}: {ty}");
            assert!(
                schema["arguments"]
                    .as_object()
                    .is_some_and(|a| !a.is_empty()),
                "{ty}: no arguments"
            );
        }
    }
}

#[test]
fn every_cloud_resource_of_the_examples_sets_only_arguments_of_its_schema_and_all_required_ones() {
    let facts = facts();
    let root = repo_root();
    let mut files = Vec::new();
    tf_files(&root.join("examples"), &mut files);
    let mut problems = Vec::new();
    let mut used = BTreeSet::new();
    let mut by_dir: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &files {
        let file = path.strip_prefix(&root).unwrap().display().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let checked = check_configuration(&facts, &text, &file, &mut problems);
        let top = file.split('/').nth(1).unwrap_or_default().to_string();
        by_dir
            .entry(top)
            .or_default()
            .extend(checked.iter().cloned());
        // The facts come from a provider version the example accepts.
        for (local, constraint) in version_constraints(&text) {
            if let Some(f) = facts.get(&local) {
                let version = f["provider"]["version"].as_str().unwrap();
                if !satisfies(version, &constraint) {
                    problems.push(format!(
                        "{file}: {local} {constraint} excludes {version}, the version of the facts"
                    ));
                }
            }
        }
        used.extend(checked);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The cloud examples do create resources of their cloud.
    for (dir, provider) in [("aws", "aws"), ("azure", "azurerm"), ("gcp", "google")] {
        let types = by_dir.get(dir).cloned().unwrap_or_default();
        assert!(
            types.iter().any(|t| t.starts_with(&format!("{provider}_"))),
            "examples/{dir} creates no {provider} resource"
        );
    }
    // The facts hold exactly the resource types the examples use, so they
    // are regenerated when an example changes which resources it creates.
    let known: BTreeSet<String> = facts
        .values()
        .flat_map(|f| f["resources"].as_object().unwrap().keys().cloned())
        .collect();
    let unused: Vec<&String> = known.difference(&used).collect();
    assert!(
        unused.is_empty(),
        "facts for resource types no example uses (run scripts/schema-facts): {unused:?}"
    );
}

#[test]
fn the_examples_attach_the_rules_to_what_they_protect() {
    let examples = repo_root().join("examples");
    let read = |p: &str| std::fs::read_to_string(examples.join(p)).unwrap();
    let aws = read("aws/main.tf");
    assert!(aws.contains("resource \"aws_network_interface_sg_attachment\""));
    assert!(aws.contains("variable \"network_interface_ids\""));
    let azure = read("azure/main.tf");
    for ty in [
        "azurerm_network_interface_security_group_association",
        "azurerm_network_interface_application_security_group_association",
    ] {
        assert!(azure.contains(&format!("resource \"{ty}\"")), "{ty}");
    }
    // Health probes: the deny-all rule at 4096 overrides Azure's default
    // AllowAzureLoadBalancerInBound (65001), so an allow rule comes first.
    let body: Body = azure.parse().unwrap();
    let lb = body
        .get_blocks("resource")
        .find(|b| {
            b.labels.first().map(|l| l.as_str()) == Some("azurerm_network_security_rule")
                && b.body
                    .get_attribute("source_address_prefix")
                    .and_then(|a| a.value.as_str())
                    == Some("AzureLoadBalancer")
        })
        .expect("an azurerm_network_security_rule from the AzureLoadBalancer service tag");
    let value = |k: &str| {
        let a = lb.body.get_attribute(k).unwrap_or_else(|| panic!("{k}"));
        a.value.to_string().trim().to_string()
    };
    assert_eq!(value("priority"), "4095");
    assert_eq!(value("direction"), "\"Inbound\"");
    assert_eq!(value("access"), "\"Allow\"");
    let gcp = read("gcp/main.tf");
    assert!(gcp.contains("output \"instance_network_tags\""));
    assert!(read("gcp/portmap/main.tf").contains("output \"instance_network_tags\""));
}

/// Problems the checker reports for a configuration.
fn problems_of(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    check_configuration(&facts(), text, "test.tf", &mut problems);
    problems
}

#[test]
fn the_checker_reports_a_wrong_argument_name_and_a_missing_required_argument() {
    let p = problems_of(
        r#"
resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each          = {}
  security_group_id = "sg-1"
  cidr_ip4          = "10.0.0.0/8"
  from_port         = 443
  to_port           = 443
  lifecycle {
    create_before_destroy = true
  }
}
"#,
    );
    assert_eq!(
        p,
        [
            "test.tf: aws_vpc_security_group_ingress_rule.this: unknown argument `cidr_ip4`",
            "test.tf: aws_vpc_security_group_ingress_rule.this: missing required argument `ip_protocol`",
        ]
    );
}

#[test]
fn the_checker_reports_wrong_nested_blocks_and_unknown_resource_types() {
    let p = problems_of(
        r#"
resource "google_compute_firewall" "this" {
  name    = "x"
  network = "default"
  allow   = []
  dynamic "allow" {
    for_each = []
    content {
      port = ["22"]
    }
  }
  denied {
    protocol = "all"
  }
}

resource "azurerm_network_security_rule" "this" {
  name                        = "x"
  resource_group_name         = "rg"
  network_security_group_name = "nsg"
  priority                    = 4095
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "*"
  source_port_range {
  }
}

resource "aws_instance" "this" {
}

resource "portmap_azure_nsg_priorities" "this" {
  rules = {}
}
"#,
    );
    let expected = [
        "test.tf: google_compute_firewall.this: `allow` is a nested block, not an argument (write `allow { ... }`)",
        "test.tf: google_compute_firewall.this.allow: unknown argument `port`",
        "test.tf: google_compute_firewall.this.allow: missing required argument `protocol`",
        "test.tf: google_compute_firewall.this: unknown nested block `denied`",
        "test.tf: azurerm_network_security_rule.this: `source_port_range` is an argument, not a nested block (write `source_port_range = ...`)",
        "test.tf: aws_instance.this: no schema facts for resource type aws_instance (run scripts/schema-facts)",
    ];
    assert_eq!(p, expected);
}

#[test]
fn version_constraints_are_read_and_compared() {
    let c = version_constraints(
        r#"
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.30"
    }
    google = {
      source = "hashicorp/google"
    }
  }
}
"#,
    );
    assert_eq!(
        c,
        BTreeMap::from([("aws".to_string(), ">= 5.30".to_string())])
    );
    assert!(satisfies("6.25.0", ">= 5.30"));
    assert!(!satisfies("5.29.9", ">= 5.30"));
    assert!(satisfies("5.99.0", "~> 5.30"));
    assert!(!satisfies("6.0.0", "~> 5.30"));
    assert!(satisfies("5.30.7", "~> 5.30.2"));
    assert!(!satisfies("5.31.0", "~> 5.30.2"));
    assert!(satisfies("4.55.0", ">= 3.0, < 5"));
    assert!(!satisfies("5.0.0", ">= 3.0, < 5"));
    assert!(satisfies("1.2.3", "1.2.3"));
}
