//! `portmap`: the catalog, flows and rules of a topology file, on the
//! command line, computed by the same core as the Terraform provider.
#![allow(clippy::print_stdout, clippy::print_stderr)]

/// The provider's allocator, so the CLI computes as the provider does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod diagram_svg;
mod explain;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use portmap_core::catalog::{Catalog, Protocol};
use portmap_core::diagram::Diagram;
use portmap_core::issue::{Issue, has_errors};
use portmap_core::output::{CatalogOutput, FlowsOutputView, RulesView, catalog_output};
use portmap_core::render::TableFormat;
use portmap_core::report;
use portmap_core::rules::Computation;
use portmap_core::topology_file;

/// Exit codes (documented in `--help` and docs/cli.md).
mod exit {
    /// Success (warnings may have been printed).
    pub const OK: u8 = 0;
    /// The input is invalid: a diagnostic names the file, line or attribute.
    pub const INVALID_INPUT: u8 = 1;
    /// The command line is wrong (clap's own code).
    pub const USAGE: u8 = 2;
    /// A file could not be read or written.
    pub const IO: u8 = 3;
    /// Something that should not happen (a broken build).
    pub const INTERNAL: u8 = 4;
}

const AFTER_HELP: &str = "\
Exit codes:
  0  success (warnings, if any, are printed on stderr)
  1  invalid input: the topology or catalog has an error; the message names the file, line or attribute
  2  invalid command line
  3  a file could not be read or written
  4  internal error (please report it)

Diagnostics about a file read FILE: SEVERITY: [ATTRIBUTE: ][line N[, column C]: ]MESSAGE,
for example `topology.yaml: error: nodes[\"app\"].cidrs[0]: line 6: Invalid address ...` or
`topology.yaml: error: line 4, column 12: invalid type ...`; the others read SEVERITY: MESSAGE.

Examples:
  portmap catalog --product plossys
  portmap flows examples/quickstart/topology.yaml
  portmap flows examples/quickstart/topology.yaml --format markdown > firewall-request.md
  portmap rules examples/quickstart/topology.yaml --format json
  portmap rules examples/quickstart/topology.yaml --format nftables --node app > app.nft
  portmap diagram examples/quickstart/topology.yaml --format svg -o topology.svg
  portmap explain examples/quickstart/topology.yaml --port 1433
  portmap perimeter examples/spotfire-dmz/topology.yaml --format markdown > perimeter-request.md
  portmap audit examples/audit/topology.yaml --from-state examples/adopt/existing/show.json --map examples/adopt/map.yaml
  portmap adopt examples/audit/topology.yaml --from-state examples/adopt/existing/show.json --map examples/adopt/map.yaml -o moved.tf";

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_times() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::rfc3339(1_798_761_599), "2026-12-31T23:59:59Z");
    }
}

#[derive(Parser, Debug)]
#[command(name = "portmap", version, about = "Firewall flows and least-privilege rules from a topology of enterprise products.", after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Format {
    /// Aligned columns.
    Table,
    /// JSON: the same objects as the Terraform data sources.
    Json,
    /// CSV (RFC 4180).
    Csv,
    /// A Markdown table.
    Markdown,
}

impl Format {
    fn table(self) -> TableFormat {
        match self {
            Format::Csv => TableFormat::Csv,
            Format::Markdown => TableFormat::Markdown,
            Format::Table | Format::Json => TableFormat::Text,
        }
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the built-in catalog: products, components, settings, features and flows.
    #[command(
        after_help = "Formats:\n  table, markdown   per product its components, settings with defaults, features with defaults and groups, and feature groups with their exclusivity; then every flow\n  csv       every flow (one table)\n  json      {products, flows}: the same objects as data.portmap_catalog\n\nExamples:\n  portmap catalog\n  portmap catalog --product spotfire --format markdown\n  portmap catalog --product 1e-platform --set 1e-platform.dmz_switch_count=3 --format json"
    )]
    Catalog {
        /// Only these products (repeatable).
        #[arg(long = "product", value_name = "ID")]
        products: Vec<String>,
        /// Override a setting: PRODUCT.SETTING=VALUE (repeatable).
        #[arg(long = "set", value_name = "PRODUCT.SETTING=VALUE")]
        settings: Vec<String>,
        /// Extra catalog files (YAML or JSON, one product each).
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Compute the flows of a topology file (YAML or JSON); the firewall request as CSV or Markdown.
    #[command(
        after_help = "Formats:\n  table     every flow, internal ones included, then the rules\n  json      {flows, rules, unresolved}: the same objects as data.portmap_flows\n  csv, markdown   the firewall request for a change board: one row per source, destination, protocol and ports that needs a rule, with the exposure of both ends and the risk findings; markdown adds a header (topology, products, features, settings, version, time) and the Risks section\n\nRisk findings (sensitive ports open to the internet, cleartext protocols at an internet-facing or untrusted node, ranges of 1000 ports or more) are warnings on stderr, unless the topology's accepted_risks accepts them (finding key or flow key -> reason).\n\nExamples:\n  portmap flows examples/quickstart/topology.yaml\n  portmap flows examples/quickstart/topology.yaml --format markdown > request.md\n  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) portmap flows examples/quickstart/topology.yaml --format markdown"
    )]
    Flows {
        /// Topology file.
        topology: PathBuf,
        /// Extra catalog files (YAML or JSON, one product each).
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Risk findings that accepted_risks does not accept are errors (exit code 1).
        #[arg(long)]
        fail_on_risk: bool,
        /// The time the Markdown request says it was generated (default: SOURCE_DATE_EPOCH if set, else none).
        #[arg(long, value_name = "TIME")]
        generated_at: Option<String>,
    },
    /// Compute the least-privilege rules of a topology file, or one node's host firewall (nftables).
    #[command(after_help = RULES_HELP)]
    Rules {
        /// Topology file.
        topology: PathBuf,
        /// Extra catalog files (YAML or JSON, one product each).
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,
        /// The node whose host firewall to print (with --format nftables).
        #[arg(long, value_name = "NAME")]
        node: Option<String>,
    },
    /// The flows that cross a zone boundary, as a perimeter (hub) firewall takes them: objects and policies per zone pair.
    #[command(after_help = PERIMETER_HELP)]
    Perimeter {
        /// Topology file (nodes with their zone).
        topology: PathBuf,
        /// Extra catalog files (YAML or JSON, one product each).
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = PerimeterFormat::Table)]
        format: PerimeterFormat,
    },
    /// Audit the rules that exist today against what the topology requires; a clean-up request as CSV or Markdown.
    #[command(after_help = AUDIT_HELP)]
    #[command(group(clap::ArgGroup::new("rules_today").required(true).args(["existing", "from_state"])))]
    Audit {
        /// Topology file.
        topology: PathBuf,
        /// The existing rules (YAML or JSON).
        existing: Option<PathBuf>,
        /// Read the existing rules from `terraform show -json` output instead (with --map).
        #[arg(
            long,
            value_name = "STATE.json",
            conflicts_with = "existing",
            requires = "map"
        )]
        from_state: Option<PathBuf>,
        /// Which node each security group, NSG or target tag is (YAML or JSON, with --from-state).
        #[arg(long, value_name = "MAP.yaml", requires = "from_state")]
        map: Option<PathBuf>,
        /// Extra catalog files (YAML or JSON, one product each).
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Convert the rule resources of `terraform show -json` into the existing rules `portmap audit` reads, to review or edit.
    #[command(after_help = EXISTING_HELP)]
    Existing {
        /// The JSON of `terraform show -json`.
        #[arg(long, value_name = "STATE.json")]
        from_state: PathBuf,
        /// Which node each security group, NSG or target tag is (YAML or JSON).
        #[arg(long, value_name = "MAP.yaml")]
        map: PathBuf,
        /// Check the map's nodes against this topology file.
        #[arg(long, value_name = "FILE")]
        topology: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExistingFormat::Yaml)]
        format: ExistingFormat,
    },
    /// Write Terraform moved blocks that adopt the existing AWS rules portmap computes exactly; list what changes and what is created.
    #[command(after_help = ADOPT_HELP)]
    Adopt {
        /// Topology file.
        topology: PathBuf,
        /// The JSON of `terraform show -json` of today's configuration.
        #[arg(long, value_name = "STATE.json")]
        from_state: PathBuf,
        /// Which node each security group is (YAML or JSON).
        #[arg(long, value_name = "MAP.yaml")]
        map: PathBuf,
        /// The cloud shape of the portmap configuration.
        #[arg(long, value_enum, default_value_t = Shape::Aws)]
        shape: Shape,
        /// Name of the keyed aws_vpc_security_group_ingress_rule/_egress_rule resources.
        #[arg(long, value_name = "NAME", default_value = "this")]
        resource_name: String,
        /// Also move the aws_security_group resources to this resource keyed by node.
        #[arg(long, value_name = "NAME")]
        group_resource: Option<String>,
        /// The module holding the portmap resources (`module.firewall`); the root module if not given.
        #[arg(long, value_name = "ADDRESS")]
        module: Option<String>,
        /// Extra catalog files (YAML or JSON, one product each).
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = AdoptFormat::Hcl)]
        format: AdoptFormat,
        /// Write to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Draw the topology: nodes with their components and addresses, edges labelled with the ports that need rules.
    #[command(after_help = DIAGRAM_HELP)]
    Diagram {
        /// Topology file.
        topology: PathBuf,
        /// Extra catalog files (YAML or JSON, one product each).
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiagramFormat::Svg)]
        format: DiagramFormat,
        /// Write to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Explain why a rule exists, or which flows use a port, down to the vendor document row.
    #[command(after_help = EXPLAIN_HELP)]
    #[command(group(clap::ArgGroup::new("question").required(true).args(["rule", "port"])))]
    Explain {
        /// Topology file.
        topology: PathBuf,
        /// Extra catalog files (YAML or JSON, one product each).
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// The rule to explain, by key (`node:direction:peer:protocol:ports`, see `portmap rules`).
        #[arg(long, value_name = "KEY")]
        rule: Option<String>,
        /// The port to explain: every flow whose ports contain it.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        port: Option<u16>,
        /// Only flows of this protocol (with --port).
        #[arg(long, value_enum)]
        protocol: Option<ProtocolArg>,
    },
    /// Print the JSON Schema of the catalog file format (with --topology: of the topology file).
    #[command(
        after_help = "Examples:\n  portmap schema > catalog.schema.json\n  portmap schema --topology > topology.schema.json"
    )]
    Schema {
        /// The schema of the topology file (nodes, products, installations) instead.
        #[arg(long)]
        topology: bool,
    },
    /// Print shell completions.
    #[command(after_help = "Example:\n  portmap completions bash > /etc/bash_completion.d/portmap")]
    Completions {
        /// The shell to write the completion script for.
        shell: clap_complete::Shell,
    },
}

const PERIMETER_HELP: &str = "\
Only flows between nodes of different zones (a node's `zone`, `default` when not given) appear;
flows inside a zone are the nodes' own firewalls' (portmap rules). Every policy is an exact product:
each source needs each service to each destination.

Formats:
  table, csv, markdown   the request for the perimeter firewall team: one row per policy
  json      {address_objects, service_objects, policies}: the same objects as data.portmap_perimeter_rules
  nftables  a router's forward chain (table inet portmap_perimeter) allowing exactly these policies

Examples:
  portmap perimeter examples/spotfire-dmz/topology.yaml
  portmap perimeter examples/spotfire-dmz/topology.yaml --format markdown > perimeter-request.md
  portmap perimeter examples/spotfire-dmz/topology.yaml --format nftables > hub.nft";

/// Output formats of `portmap perimeter`.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum PerimeterFormat {
    /// Aligned columns.
    Table,
    /// JSON: the same objects as data.portmap_perimeter_rules.
    Json,
    /// CSV (RFC 4180).
    Csv,
    /// A Markdown table.
    Markdown,
    /// A router's nftables forward chain.
    Nftables,
}

const AUDIT_HELP: &str = "\
EXISTING is a YAML or JSON list of rules (or a map with the list under `existing`), each {id, node, direction, protocol, from_port, to_port, cidrs, peer} as in data.portmap_audit.
With --from-state STATE.json --map MAP.yaml instead, the rules are read from `terraform show -json`
(see `portmap existing --help`); what cannot be read as an allow rule of a node is listed on stderr.

Formats:
  table     the summary, then what to remove (widest exposure first) and what to add
  json      {covered, excess, missing, summary}: the same objects as data.portmap_audit
  csv, markdown   the clean-up request for a change board

Examples:
  portmap audit examples/audit/topology.yaml examples/audit/existing.yaml
  portmap audit examples/audit/topology.yaml examples/audit/existing.yaml --format markdown > clean-up.md
  terraform show -json > state.json
  portmap audit examples/audit/topology.yaml --from-state examples/adopt/existing/show.json --map examples/adopt/map.yaml";

const EXISTING_HELP: &str = "\
Reads the managed resources of `terraform show -json` (root and child modules):
aws_vpc_security_group_ingress_rule, aws_vpc_security_group_egress_rule, aws_security_group_rule,
the inline rules of aws_security_group, azurerm_network_security_rule and google_compute_firewall.
One rule per peer address, port range and allow block; its id is the resource address, with #N
when a resource yields several parts.

MAP.yaml names the node of each group and of each referenced group:
  groups:                     # security group id, NSG name, GCP target tag or service account
    sg-0a1b2c3d4e5f60001: app
  peers:                      # prefix lists, application security groups, GCP source tags
    pl-0a1b2c3d4e5f60009: clients

Not read as allow rules, and listed as skipped: deny rules (Azure Deny, GCP deny blocks), rules
of groups the map does not name, addresses that are service tags (Internet, VirtualNetwork),
source port restrictions, protocols other than tcp, udp, icmp and all, disabled firewalls.

Formats:
  yaml      the list `portmap audit TOPOLOGY EXISTING` reads, skipped parts as comments
  json      {existing, skipped}

Examples:
  terraform show -json > state.json
  portmap existing --from-state examples/adopt/existing/show.json --map examples/adopt/map.yaml > existing.yaml";

const ADOPT_HELP: &str = "\
An existing aws_vpc_security_group_ingress_rule or _egress_rule that is exactly a rule of the AWS
shape (same security group, direction, protocol, ports, and peer CIDR or referenced group) moves
to aws_vpc_security_group_<direction>_rule.NAME[\"<key>\"], the key being that of
data.portmap_aws_security_group_rules. An aws_security_group_rule that is exactly one portmap rule
is forgotten (a removed block, destroy = false) and imported by its security group rule id, since
moved blocks cannot change a resource's type (Terraform 1.7 or later). Every other existing rule
must change (listed with the reason), and every portmap rule no existing rule matches is created.
Only --shape aws for now.

Formats:
  hcl       moved (removed, import) blocks, the counts and the lists as comments: a .tf file
  json      {group_moves, moves, in_place, imports, change, create, skipped}

Examples:
  portmap adopt examples/audit/topology.yaml --from-state examples/adopt/existing/show.json --map examples/adopt/map.yaml -o moved.tf
  portmap adopt examples/audit/topology.yaml --from-state examples/adopt/existing/show.json --map examples/adopt/map.yaml --group-resource node --module module.firewall";

const DIAGRAM_HELP: &str = "\
Formats:
  svg       a picture, laid out and rendered by portmap itself (no Graphviz needed)
  mermaid   a Mermaid flowchart, for Markdown (README, pull request)
  dot       Graphviz DOT: one cluster per node

Edges carry the ports that need rules, per direction; a pair of nodes that needs the same
ports both ways gets one edge with two arrow heads. Long port lists are shortened: a hyphen
(8080-8082) is always a range of open ports; an ellipsis (1898 … 2198 (24 ports)) stands for
the given number of open ports between two ports, not for all of them.

Examples:
  portmap diagram examples/quickstart/topology.yaml -o topology.svg
  portmap diagram examples/quickstart/topology.yaml --format mermaid >> README.md
  portmap diagram examples/quickstart/topology.yaml --format dot | dot -Tpng > topology.png";

const RULES_HELP: &str = "\
With --format nftables --node NAME: a complete `nft -f` script for the host firewall of that
node: table inet portmap with input and output chains that drop by default, accept loopback,
established and related traffic and IPv6 neighbour discovery, and accept exactly the node's
rules (IPv4 and IPv6, port ranges as ranges), each under a comment with its key. Loading the
script again replaces the table.

Examples:
  portmap rules examples/quickstart/topology.yaml
  portmap rules examples/quickstart/topology.yaml --format csv
  portmap rules examples/quickstart/topology.yaml --format nftables --node app > app.nft && nft -f app.nft";

/// The formats of `portmap rules`: those of `flows`, and nftables.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum RulesFormat {
    /// Aligned columns.
    Table,
    /// JSON: the same objects as the rules of data.portmap_flows.
    Json,
    /// CSV (RFC 4180).
    Csv,
    /// A Markdown table.
    Markdown,
    /// An `nft -f` script: the host firewall of the node given with --node.
    Nftables,
}

impl RulesFormat {
    /// The table format, or `None` for nftables.
    fn table(self) -> Option<Format> {
        match self {
            RulesFormat::Table => Some(Format::Table),
            RulesFormat::Json => Some(Format::Json),
            RulesFormat::Csv => Some(Format::Csv),
            RulesFormat::Markdown => Some(Format::Markdown),
            RulesFormat::Nftables => None,
        }
    }
}

const EXPLAIN_HELP: &str = "\
With --rule: the rule's node, direction, peer and ports, then every flow it serves with its
product, catalog flow, components, purpose, condition and the vendor document, table and row.
With --port: every flow whose ports contain the port, grouped by the rules that serve it;
flows that need no rule (both ends on one machine, or no firewall rule per the vendor) last.

Examples:
  portmap explain examples/quickstart/topology.yaml --rule sql:ingress:app:tcp:1433
  portmap explain examples/quickstart/topology.yaml --port 1433
  portmap explain examples/quickstart/topology.yaml --port 1434 --protocol udp";

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum ExistingFormat {
    /// The YAML list `portmap audit` reads.
    Yaml,
    /// JSON: {existing, skipped}.
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum AdoptFormat {
    /// Terraform moved blocks.
    Hcl,
    /// JSON: the plan.
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Shape {
    /// aws_vpc_security_group_ingress_rule and _egress_rule.
    Aws,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum DiagramFormat {
    /// An SVG picture.
    Svg,
    /// A Mermaid flowchart.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum ProtocolArg {
    /// TCP (IP protocol 6).
    Tcp,
    /// UDP (IP protocol 17).
    Udp,
}

impl ProtocolArg {
    fn protocol(self) -> Protocol {
        match self {
            ProtocolArg::Tcp => Protocol::Tcp,
            ProtocolArg::Udp => Protocol::Udp,
        }
    }
}

/// A failure with its exit code; messages are printed already.
struct Failure(u8);

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(Failure(code)) => ExitCode::from(code),
    }
}

fn print_issues(origin: &str, issues: &[Issue]) {
    for i in issues {
        eprintln!("{origin}: {i}");
    }
}

fn write_out(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            eprintln!("error: writing output: {e}");
            Err(Failure(exit::IO))
        }
    }
}

/// Writes `v` as pretty JSON and a newline to stdout as it is encoded,
/// without building the text first: the same bytes as `write_out(&json(v)?)`.
fn write_json<T: serde::Serialize>(v: &T) -> Result<(), Failure> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, v)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            eprintln!("error: writing output: {e}");
            Err(Failure(exit::IO))
        }
    }
}

/// Writes to stdout through a buffer with `write`, as [`write_out`] writes
/// a text it is given.
fn write_with(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Failure> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            eprintln!("error: writing output: {e}");
            Err(Failure(exit::IO))
        }
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| {
            eprintln!("error: encoding JSON: {e}");
            Failure(exit::INTERNAL)
        })
}

fn load_catalog(extra: &[PathBuf]) -> Result<Catalog, Failure> {
    let builtin = Catalog::builtin().map_err(|errs| {
        for e in errs {
            eprintln!("internal error: built-in catalog: {e}");
        }
        Failure(exit::INTERNAL)
    })?;
    if extra.is_empty() {
        return Ok(builtin.clone());
    }
    let mut products = Vec::new();
    let mut failed = false;
    for path in extra {
        let text = read(path)?;
        let origin = path.display().to_string();
        match portmap_core::catalog::parse_product(&text, &origin) {
            Ok(p) => products.push((origin, p)),
            Err(e) => {
                print_catalog_error(&e);
                failed = true;
            }
        }
    }
    if failed {
        return Err(Failure(exit::INVALID_INPUT));
    }
    builtin.with_extra(products).map_err(|errs| {
        for e in errs {
            print_catalog_error(&e);
        }
        Failure(exit::INVALID_INPUT)
    })
}

/// Prints an error about a file: `FILE: error: MESSAGE`, the format of
/// every diagnostic that names a file.
fn print_file_error(file: &std::path::Path, message: impl std::fmt::Display) {
    eprintln!("{}: error: {message}", file.display());
}

/// Prints an error of a catalog file: `FILE: error: [WHERE: ]MESSAGE`.
fn print_catalog_error(e: &portmap_core::catalog::CatalogError) {
    if e.location.is_empty() {
        eprintln!("{}: error: {}", e.origin, e.message);
    } else {
        eprintln!("{}: error: {}: {}", e.origin, e.location, e.message);
    }
}

fn read(path: &PathBuf) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| {
        print_file_error(path, e);
        Failure(exit::IO)
    })
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Catalog {
            products,
            settings,
            catalogs,
            format,
        } => catalog_command(&products, &settings, &catalogs, format),
        Command::Flows {
            topology,
            catalogs,
            format,
            fail_on_risk,
            generated_at,
        } => flows_command(&topology, &catalogs, format, fail_on_risk, generated_at),
        Command::Perimeter {
            topology,
            catalogs,
            format,
        } => perimeter_command(&topology, &catalogs, format),
        Command::Rules {
            topology,
            catalogs,
            format,
            node,
        } => match (format.table(), node) {
            (Some(table), None) => {
                let catalog = load_catalog(&catalogs)?;
                let comp = compute_file(&topology, &catalog)?;
                flows_output(&comp, table, true, &report::RequestInfo::default())
            }
            (Some(_), Some(_)) => {
                eprintln!("error: --node goes with --format nftables");
                Err(Failure(exit::USAGE))
            }
            (None, node) => nftables_command(&topology, &catalogs, node.as_deref()),
        },
        Command::Audit {
            topology,
            existing,
            from_state,
            map,
            catalogs,
            format,
        } => {
            let source = match (existing, from_state, map) {
                (Some(e), None, None) => Existing::File(e),
                (None, Some(s), Some(m)) => Existing::State(s, m),
                _ => {
                    eprintln!(
                        "error: give EXISTING, or --from-state STATE.json with --map MAP.yaml"
                    );
                    return Err(Failure(exit::USAGE));
                }
            };
            audit_command(&topology, &source, &catalogs, format)
        }
        Command::Existing {
            from_state,
            map,
            topology,
            format,
        } => existing_command(&from_state, &map, topology.as_ref(), format),
        Command::Adopt {
            topology,
            from_state,
            map,
            shape: Shape::Aws,
            resource_name,
            group_resource,
            module,
            catalogs,
            format,
            output,
        } => {
            let o = portmap_core::audit::adopt::AdoptOptions {
                rule_resource: resource_name,
                group_resource,
                module: module.unwrap_or_default(),
            };
            adopt_command(
                &topology,
                &from_state,
                &map,
                &catalogs,
                &o,
                format,
                output.as_ref(),
            )
        }
        Command::Diagram {
            topology,
            catalogs,
            format,
            output,
        } => diagram_command(&topology, &catalogs, format, output.as_ref()),
        Command::Explain {
            topology,
            catalogs,
            rule,
            port,
            protocol,
        } => explain_command(&topology, &catalogs, rule, port, protocol),
        Command::Schema { topology: false } => write_out(&portmap_core::catalog::json_schema()),
        Command::Schema { topology: true } => write_out(&portmap_core::topology::json_schema()),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "portmap", &mut buf);
            write_out(&String::from_utf8_lossy(&buf))
        }
    }
}

/// `portmap catalog`.
fn catalog_command(
    products: &[String],
    settings: &[String],
    catalogs: &[PathBuf],
    format: Format,
) -> Result<(), Failure> {
    let catalog = load_catalog(catalogs)?;
    for p in products {
        if catalog.product(p).is_none() {
            let ids: Vec<&str> = catalog.products().iter().map(|p| p.id.as_str()).collect();
            eprintln!(
                "error: unknown product \"{p}\".{} Known products: {}.",
                portmap_core::suggest::did_you_mean(p, ids.iter().copied()),
                ids.join(", ")
            );
            return Err(Failure(exit::INVALID_INPUT));
        }
    }
    let overrides = parse_overrides(&catalog, settings)?;
    let filter = if products.is_empty() {
        None
    } else {
        Some(products)
    };
    let out: CatalogOutput = catalog_output(&catalog, filter, &overrides);
    match format {
        Format::Json => write_out(&json(&out)?),
        f => write_out(&report::catalog_document(&out, f.table())),
    }
}

/// `portmap flows`.
fn flows_command(
    topology: &PathBuf,
    catalogs: &[PathBuf],
    format: Format,
    fail_on_risk: bool,
    generated_at: Option<String>,
) -> Result<(), Failure> {
    let catalog = load_catalog(catalogs)?;
    let (comp, file) = compute_file_located(topology, &catalog)?;
    let origin = topology.display().to_string();
    let risks = portmap_core::cloud::risk::check_flows(&comp, fail_on_risk);
    print_issues(&origin, &file.locate(&risks));
    if has_errors(&risks) {
        return Err(Failure(exit::INVALID_INPUT));
    }
    let generated_at = match generated_at {
        Some(t) => Some(t),
        None => source_date_epoch()?,
    };
    let info = report::RequestInfo {
        topology: &origin,
        version: env!("CARGO_PKG_VERSION"),
        generated_at: generated_at.as_deref(),
    };
    flows_output(&comp, format, false, &info)
}

/// `portmap perimeter`.
fn perimeter_command(
    topology: &PathBuf,
    catalogs: &[PathBuf],
    format: PerimeterFormat,
) -> Result<(), Failure> {
    let catalog = load_catalog(catalogs)?;
    let (comp, file) = compute_file_located(topology, &catalog)?;
    let origin = topology.display().to_string();
    let mut issues = portmap_core::cloud::risk::check_flows(&comp, false);
    if portmap_core::perimeter::policies(&comp).is_empty() {
        issues.push(portmap_core::perimeter::no_crossing_warning());
    }
    print_issues(&origin, &file.locate(&issues));
    let text = match format {
        PerimeterFormat::Json => {
            return write_json(&portmap_core::perimeter::PerimeterOutput::new(&comp));
        }
        PerimeterFormat::Nftables => portmap_core::nftables::perimeter_ruleset(&comp),
        PerimeterFormat::Table => portmap_core::perimeter::table(&comp).render(TableFormat::Text),
        PerimeterFormat::Csv => portmap_core::perimeter::table(&comp).render(TableFormat::Csv),
        PerimeterFormat::Markdown => {
            portmap_core::perimeter::table(&comp).render(TableFormat::Markdown)
        }
    };
    write_out(&text)
}

/// `portmap explain`.
fn explain_command(
    topology: &PathBuf,
    catalogs: &[PathBuf],
    rule: Option<String>,
    port: Option<u16>,
    protocol: Option<ProtocolArg>,
) -> Result<(), Failure> {
    if protocol.is_some() && port.is_none() {
        eprintln!("error: --protocol goes with --port");
        return Err(Failure(exit::USAGE));
    }
    let catalog = load_catalog(catalogs)?;
    let protocol = protocol.map(ProtocolArg::protocol);
    // For a port, only the flows and rules that explain it.
    let comp = match (&rule, port) {
        (None, Some(port)) => {
            compute_file_with(topology, &catalog, |t, c| {
                portmap_core::compute_for_port(t, c, port, protocol)
            })?
            .0
        }
        _ => compute_file(topology, &catalog)?,
    };
    let text = match (rule, port) {
        (Some(key), _) => explain::rule(&comp, &key).map_err(|msg| {
            eprintln!("error: {msg}");
            Failure(exit::INVALID_INPUT)
        })?,
        (None, Some(port)) => {
            return write_with(|w| explain::write_port(&comp, port, protocol, w));
        }
        (None, None) => {
            eprintln!("error: give --rule KEY or --port N");
            return Err(Failure(exit::USAGE));
        }
    };
    write_out(&text)
}

fn parse_overrides(
    catalog: &Catalog,
    settings: &[String],
) -> Result<BTreeMap<String, BTreeMap<String, String>>, Failure> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for s in settings {
        let Some((lhs, value)) = s.split_once('=') else {
            eprintln!("error: --set {s}: expected PRODUCT.SETTING=VALUE");
            return Err(Failure(exit::USAGE));
        };
        let Some((pid, sid)) = lhs.split_once('.') else {
            eprintln!("error: --set {s}: expected PRODUCT.SETTING=VALUE");
            return Err(Failure(exit::USAGE));
        };
        let Some(product) = catalog.product(pid) else {
            eprintln!("error: --set {s}: unknown product \"{pid}\"");
            return Err(Failure(exit::INVALID_INPUT));
        };
        let Some(setting) = product.setting(sid) else {
            eprintln!(
                "error: --set {s}: product {pid} has no setting \"{sid}\".{}",
                portmap_core::suggest::did_you_mean(
                    sid,
                    product.settings.iter().map(|s| s.id.as_str())
                )
            );
            return Err(Failure(exit::INVALID_INPUT));
        };
        if let Err(e) = portmap_core::catalog::parse_setting(setting, value) {
            eprintln!("error: --set {s}: {e}");
            return Err(Failure(exit::INVALID_INPUT));
        }
        out.entry(pid.to_string())
            .or_default()
            .insert(sid.to_string(), value.to_string());
    }
    Ok(out)
}

/// `SOURCE_DATE_EPOCH` (seconds since 1970) as an RFC 3339 UTC time, or
/// `None` when it is not set.
fn source_date_epoch() -> Result<Option<String>, Failure> {
    let Some(v) = std::env::var_os("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let secs: i64 = match v.to_str().and_then(|s| s.trim().parse().ok()) {
        Some(s) if s >= 0 => s,
        _ => {
            eprintln!("error: SOURCE_DATE_EPOCH must be a number of seconds since 1970-01-01");
            return Err(Failure(exit::USAGE));
        }
    };
    Ok(Some(rfc3339(secs)))
}

/// Seconds since 1970-01-01 as `YYYY-MM-DDTHH:MM:SSZ` (civil from days,
/// after Howard Hinnant).
fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn flows_output(
    comp: &Computation<'_>,
    format: Format,
    rules_only: bool,
    info: &report::RequestInfo<'_>,
) -> Result<(), Failure> {
    let text = match (format, rules_only) {
        // Streamed: the JSON of a large mesh is written as it is encoded.
        (Format::Json, false) => return write_json(&FlowsOutputView(comp)),
        (Format::Json, true) => return write_json(&RulesView(&comp.rules)),
        (Format::Table, false) => {
            format!(
                "{}\n{}",
                report::flow_list(comp).render(TableFormat::Text),
                report::rule_list(comp).render(TableFormat::Text)
            )
        }
        (Format::Markdown, false) => report::change_request_markdown(comp, info),
        (f, false) => report::change_request(comp).render(f.table()),
        (f, true) => report::rule_list(comp).render(f.table()),
    };
    write_out(&text)
}

/// Reads a topology file and computes its flows and rules; prints the
/// warnings, or the errors with their file and line.
fn compute_file<'c>(path: &PathBuf, catalog: &'c Catalog) -> Result<Computation<'c>, Failure> {
    compute_file_located(path, catalog).map(|(c, _)| c)
}

/// [`compute_file`], and the parsed file to locate later issues in.
fn compute_file_located<'c>(
    path: &PathBuf,
    catalog: &'c Catalog,
) -> Result<(Computation<'c>, topology_file::TopologyFile), Failure> {
    compute_file_with(path, catalog, portmap_core::compute)
}

/// [`compute_file_located`] with another computation than
/// `portmap_core::compute` (one that reports the same issues).
fn compute_file_with<'c>(
    path: &PathBuf,
    catalog: &'c Catalog,
    compute: impl FnOnce(&portmap_core::Topology, &'c Catalog) -> Result<Computation<'c>, Vec<Issue>>,
) -> Result<(Computation<'c>, topology_file::TopologyFile), Failure> {
    let text = read(path)?;
    let origin = path.display().to_string();
    let topo = topology_file::parse(&text, &origin).map_err(|diagnostic| {
        eprintln!("{diagnostic}");
        Failure(exit::INVALID_INPUT)
    })?;
    let comp = match compute(&topo.topology, catalog) {
        Ok(c) => c,
        Err(issues) => {
            print_issues(&origin, &topo.locate(&issues));
            return Err(Failure(if has_errors(&issues) {
                exit::INVALID_INPUT
            } else {
                exit::INTERNAL
            }));
        }
    };
    print_issues(&origin, &topo.locate(&comp.issues));
    Ok((comp, topo))
}

/// `portmap rules --format nftables --node NAME`: the node's host firewall.
fn nftables_command(
    path: &PathBuf,
    catalogs: &[PathBuf],
    node: Option<&str>,
) -> Result<(), Failure> {
    let catalog = load_catalog(catalogs)?;
    let comp = compute_file(path, &catalog)?;
    let names = || comp.resolved.nodes.iter().map(|n| n.name.as_str());
    let Some(node) = node else {
        eprintln!(
            "error: --format nftables needs --node NAME, one of: {}",
            names().collect::<Vec<_>>().join(", ")
        );
        return Err(Failure(exit::USAGE));
    };
    match portmap_core::nftables::ruleset(&comp, node) {
        Some(script) => write_out(&script),
        None => {
            eprintln!(
                "error: unknown node \"{node}\".{} Nodes: {}.",
                portmap_core::suggest::did_you_mean(node, names()),
                names().collect::<Vec<_>>().join(", ")
            );
            Err(Failure(exit::INVALID_INPUT))
        }
    }
}

fn diagram_command(
    path: &PathBuf,
    catalogs: &[PathBuf],
    format: DiagramFormat,
    output: Option<&PathBuf>,
) -> Result<(), Failure> {
    let catalog = load_catalog(catalogs)?;
    let comp = compute_file(path, &catalog)?;
    let diagram = Diagram::new(&comp);
    let text = match format {
        DiagramFormat::Mermaid => portmap_core::diagram::mermaid(&diagram),
        DiagramFormat::Dot => portmap_core::diagram::dot(&diagram),
        DiagramFormat::Svg => diagram_svg::render(&diagram).map_err(|e| {
            eprintln!("internal error: rendering the SVG: {e}");
            Failure(exit::INTERNAL)
        })?,
    };
    match output {
        None => write_out(&text),
        Some(file) => std::fs::write(file, text).map_err(|e| {
            print_file_error(file, e);
            Failure(exit::IO)
        }),
    }
}

/// The existing rules file: a list, or a map holding it under `existing`.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum ExistingFile {
    List(Vec<portmap_core::audit::ExistingRule>),
    Map {
        existing: Vec<portmap_core::audit::ExistingRule>,
    },
}

/// Where `portmap audit` reads the existing rules.
enum Existing {
    /// A list of existing rules.
    File(PathBuf),
    /// `terraform show -json` and a group map.
    State(PathBuf, PathBuf),
}

fn audit_command(
    path: &PathBuf,
    existing: &Existing,
    catalogs: &[PathBuf],
    format: Format,
) -> Result<(), Failure> {
    let catalog = load_catalog(catalogs)?;
    let comp = compute_file(path, &catalog)?;
    let (origin, rules) = match existing {
        Existing::File(existing) => {
            let text = read(existing)?;
            let origin = existing.display().to_string();
            let rules = match serde_norway::from_str::<ExistingFile>(&text) {
                Ok(ExistingFile::List(r) | ExistingFile::Map { existing: r }) => r,
                Err(e) => {
                    eprintln!(
                        "{origin}: error: not a list of existing rules ({{id, node, direction, protocol, from_port, to_port, cidrs, peer}}): {e}"
                    );
                    return Err(Failure(exit::INVALID_INPUT));
                }
            };
            (origin, rules)
        }
        Existing::State(state, map) => {
            let names = node_names(&comp);
            let from = read_state(state, map, Some(&names))?;
            let origin = state.display().to_string();
            print_skipped(&origin, &from.skipped);
            (origin, from.existing())
        }
    };
    let a = match portmap_core::audit::audit(&comp, &rules, false) {
        Ok(a) => a,
        Err(issues) => {
            print_issues(&origin, &issues);
            return Err(Failure(exit::INVALID_INPUT));
        }
    };
    print_issues(
        &origin,
        &a.issues
            .iter()
            .filter(|i| i.path.to_string().starts_with("existing"))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let out = match format {
        Format::Json => json(&a)?,
        Format::Table => format!(
            "{}\n{}",
            report::audit_summary(&a.summary),
            report::audit_request(&a).render(TableFormat::Text)
        ),
        Format::Markdown => format!(
            "# Firewall clean-up request\n\n{}\n{}",
            report::audit_summary(&a.summary).replace('\n', "\n\n"),
            report::audit_request(&a).render(TableFormat::Markdown)
        ),
        Format::Csv => report::audit_request(&a).render(TableFormat::Csv),
    };
    write_out(&out)
}

fn node_names<'a>(comp: &'a Computation<'_>) -> Vec<&'a str> {
    comp.resolved
        .nodes
        .iter()
        .map(|n| n.name.as_str())
        .collect()
}

/// Reads a state and a group map; with `nodes`, the map's nodes must be
/// among them.
fn read_state(
    state: &PathBuf,
    map: &PathBuf,
    nodes: Option<&[&str]>,
) -> Result<portmap_core::audit::state::FromState, Failure> {
    use portmap_core::audit::state::{GroupMap, from_state};
    let map_text = read(map)?;
    let m = GroupMap::parse(&map_text).map_err(|e| {
        print_file_error(map, e);
        Failure(exit::INVALID_INPUT)
    })?;
    if let Some(nodes) = nodes {
        let unknown = m.unknown_nodes(nodes);
        for (section, id, node) in &unknown {
            eprintln!(
                "{}: error: {section}[\"{id}\"]: unknown node \"{node}\".{} Nodes: {}.",
                map.display(),
                portmap_core::suggest::did_you_mean(node, nodes.iter().copied()),
                nodes.join(", ")
            );
        }
        if !unknown.is_empty() {
            return Err(Failure(exit::INVALID_INPUT));
        }
    }
    let text = read(state)?;
    from_state(&text, &m).map_err(|e| {
        print_file_error(state, e);
        Failure(exit::INVALID_INPUT)
    })
}

fn print_skipped(origin: &str, skipped: &[portmap_core::audit::state::Skipped]) {
    for s in skipped {
        eprintln!(
            "{origin}: warning: skipped {} ({}): {}",
            s.id, s.kind, s.detail
        );
    }
}

/// A string as YAML (JSON quoting is a YAML double-quoted scalar).
fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// The existing rules as the flow-style YAML list `portmap audit` reads,
/// skipped parts as comments.
fn existing_yaml(origin: &str, from: &portmap_core::audit::state::FromState) -> String {
    let mut out = format!(
        "# Existing rules read from {origin} by `portmap existing`: {} rules, {} parts skipped.\n",
        from.rules.len(),
        from.skipped.len()
    );
    if !from.skipped.is_empty() {
        out.push_str("# Skipped (not allow rules of a node):\n");
        for s in &from.skipped {
            out.push_str(&format!("#   {} ({}): {}\n", s.id, s.kind, s.detail));
        }
    }
    if from.rules.is_empty() {
        out.push_str("[]\n");
    }
    for r in &from.rules {
        let r = &r.rule;
        let mut fields = vec![
            format!("id: {}", yaml_str(&r.id)),
            format!("node: {}", yaml_str(&r.node)),
            format!("direction: {}", r.direction),
            format!("protocol: {}", r.protocol),
        ];
        if let (Some(f), Some(t)) = (r.from_port, r.to_port) {
            fields.push(format!("from_port: {f}, to_port: {t}"));
        }
        if !r.cidrs.is_empty() {
            let c: Vec<String> = r.cidrs.iter().map(|c| yaml_str(c)).collect();
            fields.push(format!("cidrs: [{}]", c.join(", ")));
        }
        if let Some(p) = &r.peer {
            fields.push(format!("peer: {}", yaml_str(p)));
        }
        out.push_str(&format!("- {{ {} }}\n", fields.join(", ")));
    }
    out
}

fn existing_command(
    state: &PathBuf,
    map: &PathBuf,
    topology: Option<&PathBuf>,
    format: ExistingFormat,
) -> Result<(), Failure> {
    let from = match topology {
        Some(t) => {
            let catalog = load_catalog(&[])?;
            let comp = compute_file(t, &catalog)?;
            read_state(state, map, Some(&node_names(&comp)))?
        }
        None => read_state(state, map, None)?,
    };
    let origin = state.display().to_string();
    print_skipped(&origin, &from.skipped);
    let text = match format {
        ExistingFormat::Yaml => existing_yaml(&origin, &from),
        ExistingFormat::Json => json(&serde_json::json!({
            "existing": from.existing(),
            "skipped": from.skipped,
        }))?,
    };
    write_out(&text)
}

fn adopt_command(
    path: &PathBuf,
    state: &PathBuf,
    map: &PathBuf,
    catalogs: &[PathBuf],
    o: &portmap_core::audit::adopt::AdoptOptions,
    format: AdoptFormat,
    output: Option<&PathBuf>,
) -> Result<(), Failure> {
    use portmap_core::audit::adopt::{adopt_aws, moved_blocks};
    let catalog = load_catalog(catalogs)?;
    let comp = compute_file(path, &catalog)?;
    let from = read_state(state, map, Some(&node_names(&comp)))?;
    let origin = state.display().to_string();
    print_skipped(&origin, &from.skipped);
    let a = adopt_aws(&comp, &from, o);
    eprintln!(
        "{origin}: {} rules moved, {} imported, {} already in place, {} to change, {} to create",
        a.moves.len(),
        a.imports.len(),
        a.in_place.len(),
        a.change.len(),
        a.create.len()
    );
    let text = match format {
        AdoptFormat::Hcl => moved_blocks(&a),
        AdoptFormat::Json => {
            let mut v = serde_json::to_value(&a).map_err(|e| {
                eprintln!("error: encoding JSON: {e}");
                Failure(exit::INTERNAL)
            })?;
            v["skipped"] = serde_json::to_value(&from.skipped).unwrap_or_default();
            json(&v)?
        }
    };
    match output {
        None => write_out(&text),
        Some(file) => std::fs::write(file, text).map_err(|e| {
            print_file_error(file, e);
            Failure(exit::IO)
        }),
    }
}
