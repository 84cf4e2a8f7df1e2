//! The floor stage: each data source that computes from a topology,
//! planned against Terraform's floor for it, the same configuration whose
//! output reads the same values from a JSON file instead of the data
//! source (target: at most ×1.1 the floor).
//!
//! For each case there are two working directories:
//!
//! - the data source's: a zoned landing zone (`topology.json`, decoded with
//!   `jsondecode(file(...))`) into the data source, and an output `result`
//!   over the data source's computed attributes;
//! - its floor: the same `locals` and the same output expression, over
//!   `local.result = jsondecode(file("result.json"))` instead of the data
//!   source, and no provider at all.
//!
//! `result.json` is what the data source returned: `terraform apply` of
//! the data source with an output of all its computed attributes, in a
//! third directory, then `terraform output -json result`. Before timing,
//! both directories are planned once with `-out` and the planned values of
//! their outputs (`terraform show -json`) must be equal, so the floor
//! really is the same values.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::plans::{PROVIDER_HEADER_TF, runner_for_provider};
use super::summary::Summary;
use super::terraform_runs::TerraformRunner;
use super::{BenchTools, log, output_of_checked, summary_or_empty, write_file};
use crate::dist::Failure;

/// The target: a data source's plan within ×1.1 of its floor.
pub const FLOOR_TARGET_RATIO: f64 = 1.1;

/// The nodes of plan C's landing zone, which the last case plans.
pub const PLAN_C_NODES: usize = 1_000;

/// A data source that computes from a topology, and its computed
/// attributes (the docs' "Read-Only" ones).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FloorDataSource {
    /// The data source's type name.
    pub type_name: &'static str,
    /// Its computed attributes, all of which the output exposes.
    pub computed_attributes: &'static [&'static str],
    /// Arguments besides the topology, as HCL lines (a quota the
    /// landing zone's hub needs raised).
    pub extra_arguments: &'static str,
}

/// Every data source of the provider that computes from a topology.
pub const FLOOR_DATA_SOURCES: [FloorDataSource; 8] = [
    FloorDataSource {
        type_name: "portmap_flows",
        computed_attributes: &[
            "flows",
            "rules",
            "unresolved",
            "diagram_mermaid",
            "diagram_dot",
        ],
        extra_arguments: "",
    },
    FloorDataSource {
        type_name: "portmap_aws_security_group_rules",
        computed_attributes: &["rules"],
        // The hub's PLOSSYS servers need about 150 rules per group.
        extra_arguments: "  max_rules = 1000\n",
    },
    FloorDataSource {
        type_name: "portmap_azure_nsg_rules",
        computed_attributes: &["rules"],
        extra_arguments: "",
    },
    FloorDataSource {
        type_name: "portmap_gcp_firewall_rules",
        computed_attributes: &["rules"],
        extra_arguments: "",
    },
    FloorDataSource {
        type_name: "portmap_nftables_rulesets",
        computed_attributes: &["rulesets"],
        extra_arguments: "",
    },
    FloorDataSource {
        type_name: "portmap_perimeter_rules",
        computed_attributes: &["address_objects", "policies", "service_objects"],
        extra_arguments: "",
    },
    FloorDataSource {
        type_name: "portmap_azure_firewall_rules",
        computed_attributes: &["rule_collections"],
        extra_arguments: "",
    },
    FloorDataSource {
        type_name: "portmap_aws_network_firewall_rules",
        computed_attributes: &["capacity", "rule_variables", "rules"],
        extra_arguments: "",
    },
];

/// What a case's timed output shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimedOutput {
    /// Every computed attribute.
    WholeResult,
    /// The numbers of flows and rules (plan C's output).
    FlowAndRuleCounts,
}

/// One data source on one topology, timed against its floor.
#[derive(Debug, Clone, PartialEq)]
pub struct FloorCase {
    /// The directory name and report label.
    pub name: String,
    /// The data source.
    pub data_source: FloorDataSource,
    /// Nodes of the landing zone it reads.
    pub nodes: usize,
    /// Zones in the topology (`zoned_landing_zone`), or plan C's zone as is.
    pub zoned: bool,
    /// What the timed output shows.
    pub output: TimedOutput,
    /// `pinned_priorities` of `portmap_azure_nsg_rules`: the priorities its
    /// errors suggest for the rules whose derived priorities clash, found
    /// while getting result.json ([`suggested_priority_pins`]).
    pub pinned_priorities: Vec<(String, u64)>,
}

/// The cases of the stage: every data source on a zoned landing zone of
/// `nodes` nodes, then plan C (portmap_flows on the 1,000-node zone,
/// printing counts) unless `with_plan_c` is false.
pub fn floor_cases(nodes: usize, with_plan_c: bool) -> Vec<FloorCase> {
    let mut cases: Vec<FloorCase> = FLOOR_DATA_SOURCES
        .iter()
        .map(|ds| FloorCase {
            name: ds.type_name.to_owned(),
            data_source: *ds,
            nodes,
            zoned: true,
            output: TimedOutput::WholeResult,
            pinned_priorities: Vec::new(),
        })
        .collect();
    if with_plan_c {
        cases.push(FloorCase {
            name: "plan_c".to_owned(),
            data_source: FLOOR_DATA_SOURCES[0],
            nodes: PLAN_C_NODES,
            zoned: false,
            output: TimedOutput::FlowAndRuleCounts,
            pinned_priorities: Vec::new(),
        });
    }
    cases
}

/// The zone of a generated landing zone's node: the hub's nodes
/// (`hub-...`) in `hub`, the internet and roaming clients in `outside`,
/// the spokes' nodes in `spokes`.
pub fn zone_of_generated_node(name: &str) -> &'static str {
    if name.starts_with("hub-") {
        "hub"
    } else if name == "internet" || name == "roaming" {
        "outside"
    } else {
        "spokes"
    }
}

/// A generated landing zone (the generator's JSON) with zones: each node
/// in the zone [`zone_of_generated_node`] gives it, and each zone accepting
/// connections from the other two, so that every flow crossing a zone is
/// allowed and the hub shapes have policies to make.
pub fn zoned_landing_zone(topology_json: &str) -> Result<Value, Failure> {
    // The generator starts its files with a `#` comment line, which JSON
    // does not have.
    let json: String = topology_json
        .lines()
        .filter(|line| !line.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let mut topology: Value = serde_json::from_str(&json)
        .map_err(|e| Failure::Error(format!("bench: the generated topology is not JSON: {e}")))?;
    let Some(nodes) = topology.get_mut("nodes").and_then(Value::as_object_mut) else {
        return Err(Failure::Error(
            "bench: the generated topology has no nodes".into(),
        ));
    };
    for (name, node) in nodes.iter_mut() {
        if let Some(node) = node.as_object_mut() {
            node.insert("zone".into(), json!(zone_of_generated_node(name)));
        }
    }
    let names = ["hub", "outside", "spokes"];
    let zones: Map<String, Value> = names
        .iter()
        .map(|zone| {
            let others: Vec<&str> = names.iter().copied().filter(|o| o != zone).collect();
            ((*zone).to_owned(), json!({ "accepts_from": others }))
        })
        .collect();
    if let Some(object) = topology.as_object_mut() {
        object.insert("zones".into(), Value::Object(zones));
    }
    Ok(topology)
}

/// The output expression of `output`, over `reference` (the data source,
/// or `local.result` in the floor).
pub fn output_expression(case: &FloorCase, output: TimedOutput, reference: &str) -> String {
    match output {
        TimedOutput::WholeResult => {
            let mut text = String::from("{\n");
            for attribute in case.data_source.computed_attributes {
                text.push_str(&format!("    {attribute} = {reference}.{attribute}\n"));
            }
            text.push_str("  }");
            text
        }
        TimedOutput::FlowAndRuleCounts => format!(
            "{{\n    flows = length({reference}.flows)\n    rules = length({reference}.rules)\n  }}"
        ),
    }
}

fn topology_locals(case: &FloorCase) -> &'static str {
    if case.zoned {
        "  topology = jsondecode(file(\"${path.module}/topology.json\"))\n"
    } else {
        "  topology = yamldecode(file(\"${path.module}/topology.yaml\"))\n"
    }
}

/// The arguments besides the topology: the data source's own and the
/// case's pinned priorities.
fn extra_arguments_of(case: &FloorCase) -> String {
    let mut text = case.data_source.extra_arguments.to_owned();
    if !case.pinned_priorities.is_empty() {
        text.push_str("  pinned_priorities = {\n");
        for (key, priority) in &case.pinned_priorities {
            text.push_str(&format!(
                "    {} = {priority}\n",
                Value::String(key.clone())
            ));
        }
        text.push_str("  }\n");
    }
    text
}

/// The `"key" = priority` lines Azure NSG's priority clash errors suggest
/// (under `pinned_priorities = {`), in the order given, first one per key.
pub fn suggested_priority_pins(error_text: &str) -> Vec<(String, u64)> {
    let mut pins: Vec<(String, u64)> = Vec::new();
    let mut in_suggestion = false;
    for line in error_text.lines() {
        let trimmed = line.trim();
        if trimmed.ends_with("pinned_priorities = {") {
            in_suggestion = true;
            continue;
        }
        if !in_suggestion {
            continue;
        }
        let parsed = trimmed.split_once(" = ").and_then(|(key, value)| {
            let key = key.strip_prefix('"')?.strip_suffix('"')?;
            Some((key.to_owned(), value.parse::<u64>().ok()?))
        });
        match parsed {
            Some((key, priority)) if !pins.iter().any(|(k, _)| *k == key) => {
                pins.push((key, priority))
            }
            Some(_) => {}
            None => in_suggestion = false,
        }
    }
    pins
}

/// The data source's configuration, with an output `result` of `output`.
pub fn data_source_configuration(case: &FloorCase, output: TimedOutput) -> String {
    let type_name = case.data_source.type_name;
    let zones = if case.zoned {
        "  zones    = local.topology.zones\n"
    } else {
        ""
    };
    format!(
        "{PROVIDER_HEADER_TF}
# Floor stage, {name}: {type_name} on a {nodes}-node landing zone.
locals {{
{locals}}}

data \"{type_name}\" \"this\" {{
  nodes    = local.topology.nodes
  products = local.topology.products
{zones}{extra}}}

output \"result\" {{
  value = {expression}
}}
",
        name = case.name,
        nodes = case.nodes,
        locals = topology_locals(case),
        extra = extra_arguments_of(case),
        expression = output_expression(case, output, &format!("data.{type_name}.this")),
    )
}

/// The floor's configuration: the same locals and output expression, over
/// the values the data source returned (`result.json`); no provider.
pub fn floor_configuration(case: &FloorCase) -> String {
    format!(
        "# Floor of {name}: the configuration of {type_name} without it, the output
# reading the values it returned from result.json.
locals {{
{locals}  result   = jsondecode(file(\"${{path.module}}/result.json\"))
}}

output \"result\" {{
  value = {expression}
}}
",
        name = case.name,
        type_name = case.data_source.type_name,
        locals = topology_locals(case),
        expression = output_expression(case, case.output, "local.result"),
    )
}

/// The planned value of output `name` in a `terraform show -json` of a
/// saved plan.
pub fn planned_output_value(show_json: &str, name: &str) -> Result<Value, Failure> {
    let plan: Value = serde_json::from_str(show_json)
        .map_err(|e| Failure::Error(format!("bench: terraform show -json is not JSON: {e}")))?;
    plan.pointer(&format!("/planned_values/outputs/{name}/value"))
        .cloned()
        .ok_or_else(|| {
            Failure::Error(format!(
                "bench: the plan has no planned value for output {name}"
            ))
        })
}

/// What the stage measured for one case.
#[derive(Debug, Serialize)]
pub struct FloorCaseResult {
    /// The case's name.
    pub name: String,
    /// The data source planned.
    pub data_source: String,
    /// Nodes of its landing zone.
    pub nodes: usize,
    /// Bytes of result.json (the values the data source returned).
    pub result_bytes: u64,
    /// Plans of the data source's directory, ms.
    pub plan_ms: Summary,
    /// Plans of its floor, ms.
    pub floor_ms: Summary,
    /// `plan_ms.median / floor_ms.median`.
    pub ratio: f64,
}

/// What the floor stage measured.
#[derive(Debug, Serialize)]
pub struct FloorResults {
    /// Nodes of the zoned landing zone the data sources read.
    pub nodes: usize,
    /// Timed plans per directory.
    pub runs: usize,
    /// The target ratio.
    pub target: f64,
    /// One per case.
    pub cases: Vec<FloorCaseResult>,
}

/// A case's directories: (data source, floor).
struct PreparedCase {
    case: FloorCase,
    data_source_dir: PathBuf,
    floor_dir: PathBuf,
    result_bytes: u64,
}

fn create_directory(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::Error(format!("bench: {}: {e}", dir.display())))
}

/// Writes the topology files every case reads, into `floor_root`.
fn write_topologies(tools: &BenchTools, nodes: usize, floor_root: &Path) -> Result<(), Failure> {
    let generated = output_of_checked(Command::new(&tools.generator).args([
        "write",
        &nodes.to_string(),
        "json",
    ]))?;
    let zoned = zoned_landing_zone(&generated)?;
    let text =
        serde_json::to_string_pretty(&zoned).map_err(|e| Failure::Error(format!("bench: {e}")))?;
    write_file(&floor_root.join("topology.json"), &text)?;
    let plan_c = output_of_checked(Command::new(&tools.generator).args([
        "write",
        &PLAN_C_NODES.to_string(),
        "yaml",
    ]))?;
    write_file(&floor_root.join("topology.yaml"), &plan_c)
}

fn copy_topology(case: &FloorCase, floor_root: &Path, dir: &Path) -> Result<(), Failure> {
    let file = if case.zoned {
        "topology.json"
    } else {
        "topology.yaml"
    };
    std::fs::copy(floor_root.join(file), dir.join(file))
        .map(|_| ())
        .map_err(|e| Failure::Error(format!("bench: copying {file}: {e}")))
}

/// Writes a case's directories, gets result.json and checks the floor
/// plans the same output value as the data source.
/// Rounds of pinning suggested priorities before giving up.
const PIN_ATTEMPTS: usize = 10;

fn write_case_directories(
    case: &FloorCase,
    floor_root: &Path,
    dirs: [&Path; 3],
) -> Result<(), Failure> {
    let [extract_dir, data_source_dir, floor_dir] = dirs;
    for (dir, text) in [
        (
            extract_dir,
            data_source_configuration(case, TimedOutput::WholeResult),
        ),
        (
            data_source_dir,
            data_source_configuration(case, case.output),
        ),
        (floor_dir, floor_configuration(case)),
    ] {
        create_directory(dir)?;
        write_file(&dir.join("main.tf"), &text)?;
        copy_topology(case, floor_root, dir)?;
    }
    Ok(())
}

fn prepare_case(
    runner: &TerraformRunner,
    floor_root: &Path,
    case: &FloorCase,
) -> Result<PreparedCase, Failure> {
    let mut case = case.clone();
    let extract_dir = floor_root.join(format!("{}-extract", case.name));
    let data_source_dir = floor_root.join(&case.name);
    let floor_dir = floor_root.join(format!("{}-floor", case.name));
    let apply = [
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-lock=false",
    ];
    let mut attempt = 0;
    loop {
        write_case_directories(
            &case,
            floor_root,
            [&extract_dir, &data_source_dir, &floor_dir],
        )?;
        match runner.run_in(&extract_dir, &apply) {
            Ok(_) => break,
            Err(Failure::Error(text)) if attempt < PIN_ATTEMPTS => {
                let pins = suggested_priority_pins(&text);
                if pins.is_empty() {
                    return Err(Failure::Error(text));
                }
                for (key, priority) in pins {
                    case.pinned_priorities.retain(|(k, _)| *k != key);
                    case.pinned_priorities.push((key, priority));
                }
                attempt += 1;
            }
            Err(failure) => return Err(failure),
        }
    }
    if !case.pinned_priorities.is_empty() {
        log(&format!(
            "  {}: {} priorities pinned, as its errors suggested",
            case.name,
            case.pinned_priorities.len()
        ));
    }
    let result = runner.run_in(&extract_dir, &["output", "-no-color", "-json", "result"])?;
    let _ = std::fs::remove_dir_all(&extract_dir);
    write_file(&floor_dir.join("result.json"), &result)?;
    let planned = |dir: &Path| -> Result<Value, Failure> {
        runner.run_in(
            dir,
            &[
                "plan",
                "-input=false",
                "-no-color",
                "-lock=false",
                "-out=bench.tfplan",
            ],
        )?;
        let shown = runner.run_in(dir, &["show", "-no-color", "-json", "bench.tfplan"])?;
        let _ = std::fs::remove_file(dir.join("bench.tfplan"));
        planned_output_value(&shown, "result")
    };
    let (from_data_source, from_floor) = (planned(&data_source_dir)?, planned(&floor_dir)?);
    if from_data_source != from_floor {
        return Err(Failure::Error(format!(
            "bench: the floor of {} plans another output value than the data source",
            case.name
        )));
    }
    Ok(PreparedCase {
        case,
        data_source_dir,
        floor_dir,
        result_bytes: result.len() as u64,
    })
}

/// Runs the floor stage: `runs` interleaved rounds of every case's data
/// source and floor.
pub fn run_floor_stage(
    tools: &BenchTools,
    nodes: usize,
    runs: usize,
    with_plan_c: bool,
) -> Result<FloorResults, Failure> {
    let floor_root = tools.work.join("floor");
    create_directory(&floor_root)?;
    let provider_directory = tools.provider.parent().unwrap_or(Path::new("."));
    let runner = runner_for_provider(
        tools,
        provider_directory,
        &tools.work.join("terraformrc-floor"),
    )?;
    write_topologies(tools, nodes, &floor_root)?;
    let cases = floor_cases(nodes, with_plan_c);
    log(&format!(
        "floor: {} data sources on a zoned {nodes}-node landing zone{}: result.json by apply, \
         then one checked plan of each directory",
        FLOOR_DATA_SOURCES.len(),
        if with_plan_c {
            ", and plan C's 1,000-node portmap_flows"
        } else {
            ""
        }
    ));
    let mut prepared = Vec::new();
    for case in &cases {
        prepared.push(prepare_case(&runner, &floor_root, case)?);
        log(&format!(
            "  {}: same output planned from result.json",
            case.name
        ));
    }
    log(&format!(
        "floor: {runs} interleaved rounds of {} directories",
        2 * prepared.len()
    ));
    let mut samples: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); prepared.len()];
    for round in 0..runs {
        let mut line = Vec::new();
        for (p, (plan, floor)) in prepared.iter().zip(samples.iter_mut()) {
            let (plan_ms, _) = runner.timed_plan(&p.data_source_dir)?;
            let (floor_ms, _) = runner.timed_plan(&p.floor_dir)?;
            plan.push(plan_ms);
            floor.push(floor_ms);
            line.push(format!("{} {plan_ms:.0}/{floor_ms:.0}", p.case.name));
        }
        log(&format!(
            "  floor round {}/{runs} (ms): {}",
            round + 1,
            line.join(", ")
        ));
    }
    let cases = prepared
        .iter()
        .zip(&samples)
        .map(|(p, (plan, floor))| {
            let (plan_ms, floor_ms) = (summary_or_empty(plan), summary_or_empty(floor));
            FloorCaseResult {
                name: p.case.name.clone(),
                data_source: p.case.data_source.type_name.to_owned(),
                nodes: p.case.nodes,
                result_bytes: p.result_bytes,
                ratio: plan_ms.median / floor_ms.median,
                plan_ms,
                floor_ms,
            }
        })
        .collect();
    Ok(FloorResults {
        nodes,
        runs,
        target: FLOOR_TARGET_RATIO,
        cases,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn output_block(text: &str) -> &str {
        let start = text.find("output \"").unwrap();
        &text[start..]
    }

    #[test]
    fn the_data_source_and_its_floor_declare_the_same_single_output() {
        for case in floor_cases(100, true) {
            let ds = data_source_configuration(&case, case.output);
            let floor = floor_configuration(&case);
            for text in [&ds, &floor] {
                assert_eq!(text.matches("output \"").count(), 1, "{text}");
                assert!(text.contains("output \"result\" {"), "{text}");
            }
            // The same expression, over the data source or over the file.
            let reference = format!("data.{}.this", case.data_source.type_name);
            assert_eq!(
                output_block(&ds).replace(&reference, "local.result"),
                output_block(&floor)
            );
        }
    }

    #[test]
    fn the_floor_has_no_data_source_and_no_provider() {
        for case in floor_cases(100, true) {
            let floor = floor_configuration(&case);
            assert!(!floor.contains("data \""), "{floor}");
            assert!(!floor.contains("provider"), "{floor}");
            assert!(!floor.contains("data."), "{floor}");
            assert!(floor.contains("jsondecode(file(\"${path.module}/result.json\"))"));
        }
    }

    #[test]
    fn the_data_source_reads_the_zoned_topology_and_exposes_every_computed_attribute() {
        let cases = floor_cases(300, false);
        assert_eq!(cases.len(), 8);
        let nfw = cases
            .iter()
            .find(|c| c.name == "portmap_aws_network_firewall_rules")
            .unwrap();
        let text = data_source_configuration(nfw, TimedOutput::WholeResult);
        assert!(text.contains("source = \"portmap/portmap\""));
        assert!(text.contains("data \"portmap_aws_network_firewall_rules\" \"this\" {"));
        assert!(text.contains("topology = jsondecode(file(\"${path.module}/topology.json\"))"));
        assert!(text.contains("  zones    = local.topology.zones\n"));
        for line in [
            "    capacity = data.portmap_aws_network_firewall_rules.this.capacity\n",
            "    rule_variables = data.portmap_aws_network_firewall_rules.this.rule_variables\n",
            "    rules = data.portmap_aws_network_firewall_rules.this.rules\n",
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
        assert!(text.contains("a 300-node landing zone"));
    }

    #[test]
    fn plan_c_counts_flows_and_rules_of_the_unzoned_yaml_zone() {
        let cases = floor_cases(100, true);
        let c = cases.last().unwrap();
        assert_eq!(
            (c.name.as_str(), c.nodes, c.zoned),
            ("plan_c", 1_000, false)
        );
        let ds = data_source_configuration(c, c.output);
        assert!(ds.contains("yamldecode(file(\"${path.module}/topology.yaml\"))"));
        assert!(!ds.contains("zones"));
        assert!(ds.contains("rules = length(data.portmap_flows.this.rules)"));
        let floor = floor_configuration(c);
        assert!(floor.contains("flows = length(local.result.flows)"));
        // Its result.json is taken with every attribute, not the counts.
        let extract = data_source_configuration(c, TimedOutput::WholeResult);
        assert!(extract.contains("flows = data.portmap_flows.this.flows\n"));
    }

    #[test]
    fn generated_nodes_get_zones_that_accept_each_other() {
        let generated = r#"# A generated landing zone of 4 nodes.
{"nodes": {
            "hub-sf-1": {"components": ["spotfire/server"], "cidrs": ["10.0.3.11/32"]},
            "internet": {"components": ["x/y"], "cidrs": ["0.0.0.0/0"]},
            "roaming": {"components": ["x/y"], "cidrs": ["10.9.0.0/16"]},
            "s0001-sf-users": {"components": ["spotfire/client"], "cidrs": ["10.64.4.0/24"]}
          }, "products": {}}"#;
        let zoned = zoned_landing_zone(generated).unwrap();
        let zone = |n: &str| zoned["nodes"][n]["zone"].as_str().unwrap().to_owned();
        assert_eq!(zone("hub-sf-1"), "hub");
        assert_eq!(zone("internet"), "outside");
        assert_eq!(zone("roaming"), "outside");
        assert_eq!(zone("s0001-sf-users"), "spokes");
        assert_eq!(zoned["nodes"]["hub-sf-1"]["cidrs"][0], "10.0.3.11/32");
        assert_eq!(
            zoned["zones"]["hub"]["accepts_from"],
            json!(["outside", "spokes"])
        );
        assert_eq!(
            zoned["zones"]["spokes"]["accepts_from"],
            json!(["hub", "outside"])
        );
        assert_eq!(
            zoned["zones"]["outside"]["accepts_from"],
            json!(["hub", "spokes"])
        );
        assert!(zoned_landing_zone("{\"products\": {}}").is_err());
    }

    #[test]
    fn clashing_priorities_are_pinned_where_the_errors_suggest() {
        let errors = "Error: Rules \"a\" and \"b\" of node \"n\" share priority 3203

free priority, for example:
  pinned_priorities = {
    \"n:ingress:b:tcp:ipv6\" = 3204
  }

Error: Rules \"c\" and \"d\" of node \"n\" share priority 3325
  pinned_priorities = {
    \"n:ingress:d:tcp:ipv4\" = 3326
    \"n:ingress:b:tcp:ipv6\" = 3999
  }
Something = 12
";
        assert_eq!(
            suggested_priority_pins(errors),
            vec![
                ("n:ingress:b:tcp:ipv6".to_owned(), 3204),
                ("n:ingress:d:tcp:ipv4".to_owned(), 3326),
            ]
        );
        assert!(suggested_priority_pins("Error: quota exceeded").is_empty());
        let mut case = floor_cases(100, false)
            .into_iter()
            .find(|c| c.name == "portmap_azure_nsg_rules")
            .unwrap();
        case.pinned_priorities = suggested_priority_pins(errors);
        let text = data_source_configuration(&case, TimedOutput::WholeResult);
        assert!(text.contains(
            "  pinned_priorities = {\n    \"n:ingress:b:tcp:ipv6\" = 3204\n    \"n:ingress:d:tcp:ipv4\" = 3326\n  }\n}"
        ), "{text}");
    }

    #[test]
    fn planned_output_values_are_read_from_show_json() {
        let shown = r#"{"format_version": "1.2", "planned_values": {"outputs": {
            "result": {"sensitive": false, "value": {"rules": {"a": {"port": 443}}}}}}}"#;
        assert_eq!(
            planned_output_value(shown, "result").unwrap(),
            json!({"rules": {"a": {"port": 443}}})
        );
        assert!(planned_output_value(shown, "other").is_err());
        assert!(planned_output_value("not json", "result").is_err());
    }
}
