//! Topologies: where components run. The same shape is the `nodes` and
//! `products` arguments of the data sources and the CLI's topology file.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Feature, Placement, Product, SettingValue, Settings, parse_setting};
use crate::issue::{Issue, Path};
use crate::suggest::did_you_mean;

/// A deployment: nodes and per-product configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// Where components run, keyed by node name.
    #[serde(default)]
    pub nodes: BTreeMap<String, Node>,
    /// Settings and features per product id: the configuration of each
    /// product's implicit installation (its components on nodes that no
    /// installation of the product lists).
    #[serde(default)]
    pub products: BTreeMap<String, ProductConfig>,
    /// Deployments of one product each, keyed by installation name: the
    /// flows of an installation connect only the components on its own
    /// nodes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub installations: BTreeMap<String, Installation>,
    /// Risk findings accepted on purpose, keyed by finding key
    /// (`cleartext:dmz>master`, as the change request's Risks section and
    /// the risk warnings name them) or by flow key (a finding is accepted
    /// when every flow it concerns is), each with the reason, which the
    /// change request shows. Accepted findings are no longer warnings, nor
    /// errors with `fail_on_risk`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub accepted_risks: BTreeMap<String, String>,
    /// The zone policy, keyed by zone name: which zones may open
    /// connections into each zone, and how far each zone is trusted. Nodes
    /// name their zone in `zone` (nodes without one are in zone `default`).
    /// Without `zones`, zones only mark where the perimeter is and every
    /// crossing is allowed; with it, every zone a node is in must be
    /// declared, and a flow crossing from a zone its destination zone does
    /// not accept is an error.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub zones: BTreeMap<String, Zone>,
}

/// The zone a node without `zone` is in.
pub const DEFAULT_ZONE: &str = "default";

/// One zone of the zone policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    /// Zones whose nodes may open connections into this zone (`["dmz"]`
    /// for an internal zone behind a DMZ). Connections inside the zone are
    /// always allowed; any other zone is refused.
    #[serde(default)]
    pub accepts_from: Vec<String>,
    /// How far the zone is trusted: its nodes are at least this exposed
    /// (`untrusted` for the internet or partners, `internet-facing` for a
    /// DMZ). A node's own `exposure` counts when it is less trusted.
    #[serde(default)]
    pub exposure: Exposure,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A component a node fronts (a reverse proxy, load balancer or WAF in
/// front of the servers running it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Front {
    /// The fronted component, `product/component` (`spotfire/server`).
    pub component: String,
    /// The ports the fronting node listens on for the clients (`"443"`,
    /// `"80, 443"`), when they differ from the component's own ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen_ports: Option<String>,
}

/// One deployment of one product (production, test, a region, a tenant):
/// its flows connect only the components that its own nodes run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Installation {
    /// The product id (`tachyon-5`).
    pub product: String,
    /// The nodes taking part: the installation's components are the
    /// product's components on these nodes. A node may be listed by several
    /// installations (a shared SQL Server); it then takes part in each.
    #[serde(default)]
    pub nodes: Vec<String>,
    /// Setting overrides by setting id, as in `products`.
    #[serde(default)]
    pub settings: BTreeMap<String, SettingInput>,
    /// Features to enable.
    #[serde(default)]
    pub features: Vec<String>,
    /// Features to disable.
    #[serde(default)]
    pub disabled_features: Vec<String>,
    /// Per-node configuration, keyed by node name: a flow is computed with
    /// the installation's configuration overlaid by the overrides of both of
    /// its ends (a disabled feature wins; for a setting the listening end's
    /// override wins).
    #[serde(default)]
    pub node_overrides: BTreeMap<String, ProductConfig>,
    /// Components of the product (`product/component`) this installation
    /// deliberately does without, as in `products`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent_components: Vec<String>,
}

impl Installation {
    /// The installation's own settings and features.
    pub fn config(&self) -> ProductConfig {
        ProductConfig {
            settings: self.settings.clone(),
            features: self.features.clone(),
            disabled_features: self.disabled_features.clone(),
            absent_components: self.absent_components.clone(),
        }
    }
}

/// What a node stands for.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// One server: flows between its own components stay inside it.
    #[default]
    Host,
    /// Several servers alike (a subnet, a scale set, a client population):
    /// flows between components inside it cross the network and get rules
    /// whose peer is the node itself.
    Group,
}

impl NodeKind {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Host => "host",
            NodeKind::Group => "group",
        }
    }

    /// Parses `host` or `group`.
    pub fn parse(s: &str) -> Option<NodeKind> {
        match s {
            "host" => Some(NodeKind::Host),
            "group" => Some(NodeKind::Group),
            _ => None,
        }
    }
}

/// How far a node is trusted; used by the risk checks.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Exposure {
    /// An internal network (the default).
    #[default]
    Internal,
    /// Reachable from the internet (a DMZ).
    InternetFacing,
    /// Not trusted (the internet itself, partners, unmanaged devices).
    Untrusted,
}

impl Exposure {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Exposure::Internal => "internal",
            Exposure::InternetFacing => "internet-facing",
            Exposure::Untrusted => "untrusted",
        }
    }

    /// Parses a kebab-case name.
    pub fn parse(s: &str) -> Option<Exposure> {
        match s {
            "internal" => Some(Exposure::Internal),
            "internet-facing" => Some(Exposure::InternetFacing),
            "untrusted" => Some(Exposure::Untrusted),
            _ => None,
        }
    }
}

/// A server or a group of servers, and what runs there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Component ids (`product/component`) running on the node.
    #[serde(default)]
    pub components: Vec<String>,
    /// The node's addresses (IPv4 and IPv6 CIDRs or single addresses).
    #[serde(default)]
    pub cidrs: Vec<String>,
    /// How the platform names the node, which the cloud shapes use instead
    /// of the CIDRs: an AWS security group or managed prefix list (`pl-…`)
    /// id, an Azure application security group id or service tag, a GCP
    /// network tag or service account email.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// `host` (default) or `group`.
    #[serde(default)]
    pub kind: NodeKind,
    /// `internal` (default), `internet-facing` or `untrusted`.
    #[serde(default)]
    pub exposure: Exposure,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The network zone the node is in (a spoke, `dmz`, `on-prem`,
    /// `internet`); `default` when not given. A flow between two zones
    /// crosses the perimeter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Components this node fronts: the flows of clients from another zone
    /// (or untrusted clients) to a fronted component go to this node
    /// instead, and on from it to the servers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fronts: Vec<Front>,
}

/// A setting value as written by the user: a number or a string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SettingInput {
    /// A number (`4100`).
    Number(i64),
    /// A string (`"4100"`, `"1521, 5000-5010"`).
    Text(String),
}

impl SettingInput {
    /// The value as text.
    pub fn text(&self) -> String {
        match self {
            SettingInput::Number(n) => n.to_string(),
            SettingInput::Text(s) => s.clone(),
        }
    }
}

/// Per-product configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductConfig {
    /// Setting overrides by setting id.
    #[serde(default)]
    pub settings: BTreeMap<String, SettingInput>,
    /// Features to enable.
    #[serde(default)]
    pub features: Vec<String>,
    /// Features to disable (default-on or automatic ones).
    #[serde(default)]
    pub disabled_features: Vec<String>,
    /// Components of the product (`product/component`) that this
    /// installation deliberately does without (an air-gapped 1E platform
    /// without `1e-platform/cloud-services`): flows to or from them are
    /// left out without the "is not placed" warning, and the change request
    /// lists them. Not allowed in `node_overrides`: absence is a property of
    /// the whole installation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent_components: Vec<String>,
}

/// The JSON Schema of a topology file (the `portmap` command's input, and
/// the shape of the `nodes`, `products` and `installations` arguments).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Topology);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// Longest node name accepted.
pub const MAX_NODE_NAME: usize = 63;

/// Checks a node name: letters, digits, `_`, `-` and `.`, starting with a
/// letter or digit, at most 63 characters. Names end up in rule keys and
/// cloud rule names.
pub fn check_node_name(name: &str) -> Result<(), String> {
    check_name(name, "node")
}

/// Checks an installation name: the rules of node names. Names end up in
/// flow keys (`product@installation:flow:...`).
pub fn check_installation_name(name: &str) -> Result<(), String> {
    check_name(name, "installation")
}

fn check_name(name: &str, what: &str) -> Result<(), String> {
    let ok_chars = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    let starts = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric());
    if name.is_empty() {
        Err(format!("a {what} name cannot be empty"))
    } else if name.len() > MAX_NODE_NAME {
        Err(format!(
            "{what} names are at most {MAX_NODE_NAME} characters"
        ))
    } else if !ok_chars || !starts {
        Err(format!(
            "{what} names use letters, digits, '_', '-' and '.', and start with a letter or digit"
        ))
    } else {
        Ok(())
    }
}

/// Parses an address: a CIDR (`10.0.0.0/16`, `2001:db8::/32`) or a single
/// address (`10.0.1.10`, taken as /32 or /128). A CIDR with host bits set is
/// refused: it is ambiguous whether the host or the network is meant.
pub fn parse_cidr(text: &str) -> Result<IpNet, String> {
    let t = text.trim();
    if t != text {
        return Err(format!("\"{text}\" has leading or trailing spaces"));
    }
    if let Ok(net) = t.parse::<IpNet>() {
        if net.trunc() != net {
            return Err(format!(
                "\"{t}\" has host bits set; write the network ({}) or the single address ({}/{})",
                net.trunc(),
                net.addr(),
                net.max_prefix_len()
            ));
        }
        return Ok(net);
    }
    if let Ok(addr) = t.parse::<std::net::IpAddr>() {
        return Ok(IpNet::from(addr));
    }
    Err(format!(
        "\"{t}\" is not an IPv4 or IPv6 address or CIDR block (such as 10.0.1.0/24 or 2001:db8::/64)"
    ))
}

/// Paths whose values are not known yet (plan time) and must not be checked.
#[derive(Debug, Clone, Default)]
pub struct Unknowns {
    paths: BTreeSet<Path>,
    /// Everything is unknown below the root (the whole argument is unknown).
    pub all: bool,
}

impl Unknowns {
    /// Nothing unknown.
    pub fn none() -> Self {
        Unknowns::default()
    }

    /// Marks a path as unknown.
    pub fn add(&mut self, p: Path) {
        self.paths.insert(p);
    }

    /// Whether the value at `p`, or a value containing it, is unknown.
    pub fn covers(&self, p: &Path) -> bool {
        if self.all {
            return true;
        }
        // Most topologies have no unknown value: skip copying the prefixes.
        if self.paths.is_empty() {
            return false;
        }
        let steps = p.steps();
        (0..=steps.len()).any(|n| self.paths.contains(&Path(steps[..n].to_vec())))
    }

    /// [`Unknowns::covers`] for a path made only when something is
    /// unknown: checks of 10,000s of known values make no path.
    pub fn covers_made(&self, path: impl FnOnce() -> Path) -> bool {
        self.any() && self.covers(&path())
    }

    /// Whether anything at all is unknown.
    pub fn any(&self) -> bool {
        self.all || !self.paths.is_empty()
    }
}

/// How to check a topology.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Values not known yet.
    pub unknowns: Unknowns,
    /// Product ids the catalog does not know are errors. Off while the
    /// provider is not configured (user catalogs are not loaded yet).
    pub strict_products: bool,
}

/// The topology resolved against a catalog: component placements, effective
/// settings and features of every product in play.
#[derive(Debug, Clone)]
pub struct Resolved<'c> {
    /// Nodes sorted by name.
    pub nodes: Vec<ResolvedNode>,
    /// Products in play (some component placed), sorted by id.
    pub products: Vec<ProductState<'c>>,
    /// Accepted risk findings: finding or flow key → reason.
    pub accepted_risks: BTreeMap<String, String>,
    /// The zone policy (empty: every crossing is allowed).
    pub zones: BTreeMap<String, Zone>,
}

/// A node with parsed addresses and expanded components.
#[derive(Debug, Clone)]
pub struct ResolvedNode {
    /// Node name.
    pub name: String,
    /// Full component ids after bundle expansion, sorted.
    pub components: BTreeSet<String>,
    /// Component ids as the user wrote them, sorted.
    pub declared: BTreeSet<String>,
    /// Parsed addresses, sorted.
    pub cidrs: Vec<IpNet>,
    /// Opaque reference.
    pub reference: Option<String>,
    /// Host or group.
    pub kind: NodeKind,
    /// Trust level: the node's own, or its zone's when that is less
    /// trusted.
    pub exposure: Exposure,
    /// Free text.
    pub description: Option<String>,
    /// The node's zone ([`DEFAULT_ZONE`] when it names none).
    pub zone: String,
    /// Fronted components (full ids) with the ports the node listens on for
    /// them (`None`: the component's own ports).
    pub fronts: Vec<(String, Option<crate::ports::PortSet>)>,
}

/// A product in play with its effective configuration.
#[derive(Debug, Clone)]
pub struct ProductState<'c> {
    /// The catalog product.
    pub product: &'c Product,
    /// Effective setting values.
    pub settings: Settings,
    /// Settings the user set explicitly.
    pub overridden: BTreeSet<String>,
    /// Effective features.
    pub features: BTreeSet<String>,
    /// Component id (within the product) → indices into `Resolved::nodes`.
    pub placement: BTreeMap<String, Vec<usize>>,
    /// The explicit installation's name; `None` for the product's implicit
    /// installation (configured by `products`).
    pub installation: Option<String>,
    /// The configuration as written (`products[id]` or the installation's),
    /// which node overrides overlay.
    pub config: ProductConfig,
    /// Node overrides of an explicit installation: (node index, override),
    /// sorted by node index.
    pub overrides: Vec<(usize, ProductConfig)>,
}

/// The configuration one flow of an installation with node overrides is
/// computed with.
#[derive(Debug, Clone)]
pub struct PairConfig {
    /// Effective setting values.
    pub settings: Settings,
    /// Settings set explicitly (installation or override).
    pub overridden: BTreeSet<String>,
    /// Effective features.
    pub features: BTreeSet<String>,
}

impl ProductState<'_> {
    /// Node indices running a component (empty if none).
    pub fn nodes_of(&self, component: &str) -> &[usize] {
        self.placement
            .get(component)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The name flow keys give the installation: the product id for the
    /// implicit installation, `product@installation` for an explicit one.
    pub fn key_name(&self) -> String {
        match &self.installation {
            None => self.product.id.clone(),
            Some(i) => format!("{}@{i}", self.product.id),
        }
    }

    /// Where the installation is configured: `products["id"]` or
    /// `installations["name"]`.
    pub fn config_path(&self) -> Path {
        match &self.installation {
            None => product_path(&self.product.id),
            Some(i) => installation_path(i),
        }
    }

    /// The index into `overrides` of a node's override, if it has one.
    pub fn override_of(&self, node: usize) -> Option<usize> {
        if self.overrides.is_empty() {
            return None;
        }
        self.overrides.binary_search_by_key(&node, |(n, _)| *n).ok()
    }

    /// The configuration of a flow from a node with override `from` to a
    /// node with override `to` (indices into `overrides`): the
    /// installation's configuration overlaid by both overrides. Features
    /// either end enables are on, and features either end disables are off,
    /// whoever enables them (least privilege); a setting both ends override
    /// takes the listening (`to`) end's value.
    pub fn pair_config(
        &self,
        from: Option<usize>,
        to: Option<usize>,
        nodes: &[ResolvedNode],
    ) -> PairConfig {
        let mut merged = self.config.clone();
        for o in [from, to].into_iter().flatten() {
            if let Some((_, ov)) = self.overrides.get(o) {
                merged.features.extend(ov.features.iter().cloned());
                merged
                    .disabled_features
                    .extend(ov.disabled_features.iter().cloned());
                for (k, v) in &ov.settings {
                    merged.settings.insert(k.clone(), v.clone());
                }
            }
        }
        let mut ignored = Vec::new();
        let (settings, overridden) = effective_settings(
            self.product,
            &merged,
            &self.placement,
            nodes,
            &self.config_path(),
            &mut ignored,
        );
        let features = effective_features(self.product, &merged, &self.placement, nodes);
        PairConfig {
            settings,
            overridden,
            features,
        }
    }

    /// The path of a setting as configured for a flow between two nodes
    /// with overrides `from` and `to`: the override that sets it (the
    /// listening end's first), else the installation's setting.
    pub fn setting_path(
        &self,
        from: Option<usize>,
        to: Option<usize>,
        nodes: &[ResolvedNode],
        setting: &str,
    ) -> Path {
        for o in [to, from].into_iter().flatten() {
            if let Some((n, ov)) = self.overrides.get(o)
                && ov.settings.contains_key(setting)
            {
                return self
                    .config_path()
                    .attr("node_overrides")
                    .key(&nodes[*n].name)
                    .attr("settings")
                    .key(setting);
            }
        }
        self.config_path().attr("settings").key(setting)
    }
}

fn nodes_path(name: &str) -> Path {
    Path::root().attr("nodes").key(name)
}

fn product_path(id: &str) -> Path {
    Path::root().attr("products").key(id)
}

/// The errors of a selection of nodes by name (`portmap_flows.for_nodes`,
/// reported at `path`): each name must be a key of `nodes`, the declared
/// nodes. Nothing is reported while they are not known yet (`None`).
pub fn check_node_selection<'a, V>(
    nodes: Option<&BTreeMap<String, V>>,
    selected: impl IntoIterator<Item = &'a str>,
    path: &Path,
) -> Vec<Issue> {
    let Some(nodes) = nodes else {
        return Vec::new();
    };
    selected
        .into_iter()
        .filter(|name| !nodes.contains_key(*name))
        .map(|name| {
            Issue::error(
                path.clone(),
                format!("Unknown node \"{name}\""),
                format!(
                    "\"{name}\" is not a key of nodes.{} Only declared nodes can be selected.",
                    did_you_mean(name, nodes.keys().map(String::as_str))
                ),
            )
        })
        .collect()
}

/// Checks a topology and reports every problem. `resolve` runs this first.
pub fn check(t: &Topology, catalog: &Catalog, opts: &CheckOptions) -> Vec<Issue> {
    let mut issues = Vec::new();
    let unknown = |p: &Path| opts.unknowns.covers(p);
    if unknown(&Path::root().attr("nodes")) {
        return issues;
    }
    if t.nodes.is_empty() && !opts.unknowns.any() {
        issues.push(Issue::error(
            Path::root().attr("nodes"),
            "No nodes declared",
            "Declare at least one node with the components that run on it, e.g. nodes = { app = { components = [\"tachyon-5/server\"] } }.",
        ));
    }
    let mut lower_names: BTreeMap<Cow<'_, str>, &str> = BTreeMap::new();
    for (name, node) in &t.nodes {
        check_node(name, node, catalog, opts, &mut lower_names, &mut issues);
    }

    warn_nodes_sharing_an_address(t, opts, &mut issues);
    let products_known = !unknown(&Path::root().attr("products"));
    for (pid, cfg) in t.products.iter().filter(|_| products_known) {
        let config_path = product_path(pid);
        let Some(product) = catalog.product(pid) else {
            if opts.strict_products {
                issues.push(unknown_product(catalog, pid, config_path));
            }
            continue;
        };
        check_config(product, cfg, &config_path, &unknown, &mut issues);
        check_absent_components(
            product,
            &cfg.absent_components,
            &config_path,
            &unknown,
            &mut issues,
        );
    }
    check_installations(t, catalog, opts, &mut issues);
    check_accepted_risks(t, opts, &mut issues);
    check_zones(t, catalog, opts, &mut issues);
    issues
}

/// The checks of one node: its name (and its case against the names in
/// `lower_names`), components, addresses and reference. The paths of the
/// diagnostics are made only for an issue or when something is unknown:
/// 10,000s of nodes without issues make none.
fn check_node<'t>(
    name: &'t str,
    node: &Node,
    catalog: &Catalog,
    opts: &CheckOptions,
    lower_names: &mut BTreeMap<Cow<'t, str>, &'t str>,
    issues: &mut Vec<Issue>,
) {
    let node_path = || nodes_path(name);
    let unknown = |p: &dyn Fn() -> Path| opts.unknowns.covers_made(p);
    if let Err(e) = check_node_name(name) {
        issues.push(Issue::error(
            node_path(),
            format!("Invalid node name \"{name}\""),
            e,
        ));
    }
    let lower = if name.bytes().any(|b| b.is_ascii_uppercase()) || !name.is_ascii() {
        Cow::Owned(name.to_lowercase())
    } else {
        Cow::Borrowed(name)
    };
    if let Some(other) = lower_names.insert(lower, name) {
        issues.push(Issue::error(
            node_path(),
            format!("Node names \"{other}\" and \"{name}\" differ only in case"),
            "Node names become parts of rule keys and cloud rule names, some of which are case-insensitive; use distinct names.",
        ));
    }
    let components_path = || node_path().attr("components");
    if !unknown(&components_path) {
        if node.components.is_empty() {
            issues.push(Issue::error(
                components_path(),
                format!("Node \"{name}\" runs no components"),
                "A node exists to place components; list the product components that run on it (see data.portmap_catalog), or remove the node.",
            ));
        }
        let mut seen = BTreeSet::new();
        for c in &node.components {
            if !seen.insert(c.as_str()) {
                issues.push(Issue::warning(
                    components_path(),
                    format!("Component \"{c}\" is listed twice on node \"{name}\""),
                    "",
                ));
                continue;
            }
            // A component of the catalog has no issue.
            if catalog.component(c).is_none()
                && let Some(issue) =
                    check_component_id(c, catalog, opts.strict_products, &components_path())
            {
                issues.push(issue);
            }
        }
    }
    let cidrs_path = || node_path().attr("cidrs");
    for (i, cidr) in node.cidrs.iter().enumerate() {
        let p = || cidrs_path().index(i);
        if unknown(&p) {
            continue;
        }
        if let Err(e) = parse_cidr(cidr) {
            issues.push(Issue::error(p(), format!("Invalid address \"{cidr}\""), e));
        }
    }
    if !unknown(&cidrs_path) {
        let mut seen = BTreeSet::new();
        for (i, cidr) in node.cidrs.iter().enumerate() {
            if let Ok(n) = parse_cidr(cidr)
                && !seen.insert(n)
            {
                issues.push(Issue::warning(
                    cidrs_path().index(i),
                    format!("Address {n} is listed twice"),
                    "",
                ));
            }
        }
    }
    if let Some(r) = &node.reference {
        let p = || node_path().attr("ref");
        if !unknown(&p) && r.trim().is_empty() {
            issues.push(Issue::error(p(), "Empty ref", "Leave ref out (null) or give the security group, application security group or network tag id."));
        }
    }
}

/// Checks a zone name: the rules of node names (zone names end up in
/// perimeter rule collection and policy names).
pub fn check_zone_name(name: &str) -> Result<(), String> {
    check_name(name, "zone")
}

/// Node `zone` and `fronts`, and the zone policy `zones`: names are valid,
/// with a policy every zone in use is declared and every zone it names
/// exists, a fronted component is a real component the node does not run
/// itself, listener ports parse.
fn check_zones(t: &Topology, catalog: &Catalog, opts: &CheckOptions, issues: &mut Vec<Issue>) {
    let unknown = |p: &Path| opts.unknowns.covers(p);
    let zones_path = Path::root().attr("zones");
    let policy_known = !unknown(&zones_path);
    let declared = || t.zones.keys().map(String::as_str);
    for (name, zone) in t.zones.iter().filter(|_| policy_known) {
        let p = zones_path.key(name);
        if let Err(e) = check_zone_name(name) {
            issues.push(Issue::error(
                p.clone(),
                format!("Invalid zone name \"{name}\""),
                e,
            ));
        }
        for (i, from) in zone.accepts_from.iter().enumerate() {
            let from_path = p.attr("accepts_from").index(i);
            if unknown(&from_path) || t.zones.contains_key(from) {
                continue;
            }
            issues.push(Issue::error(
                from_path,
                format!("Zone \"{name}\" accepts connections from \"{from}\", which zones does not declare"),
                format!(
                    "accepts_from names zones declared in zones.{} Declared zones: {}.",
                    did_you_mean(from, declared()),
                    join_or_none(declared())
                ),
            ));
        }
    }
    for (name, node) in &t.nodes {
        check_node_zone_and_fronts(name, node, t, catalog, opts, policy_known, issues);
    }
}

/// The zone and the fronted components of one node. As in [`check_node`],
/// paths are made only for an issue or when something is unknown.
fn check_node_zone_and_fronts(
    name: &str,
    node: &Node,
    t: &Topology,
    catalog: &Catalog,
    opts: &CheckOptions,
    policy_known: bool,
    issues: &mut Vec<Issue>,
) {
    let unknown = |p: &dyn Fn() -> Path| opts.unknowns.covers_made(p);
    let declared = || t.zones.keys().map(String::as_str);
    let node_path = || nodes_path(name);
    let zone_path = || node_path().attr("zone");
    if !unknown(&zone_path) {
        if let Some(z) = &node.zone
            && let Err(e) = check_zone_name(z)
        {
            issues.push(Issue::error(
                zone_path(),
                format!("Invalid zone name \"{z}\""),
                e,
            ));
        }
        let zone = node.zone.as_deref().unwrap_or(DEFAULT_ZONE);
        if policy_known && !t.zones.is_empty() && !t.zones.contains_key(zone) {
            let (path, summary) = match &node.zone {
                Some(_) => (
                    zone_path(),
                    format!("Node \"{name}\" is in zone \"{zone}\", which zones does not declare"),
                ),
                None => (
                    node_path(),
                    format!(
                        "Node \"{name}\" has no zone, and zones does not declare zone \"{DEFAULT_ZONE}\""
                    ),
                ),
            };
            issues.push(Issue::error(
                path,
                summary,
                format!(
                    "With a zone policy (zones), every node's zone is declared there, so that what may reach it is written down.{} Declared zones: {}. Give the node one of them, or declare \"{zone}\" with the zones it accepts connections from.",
                    did_you_mean(zone, declared()),
                    join_or_none(declared())
                ),
            ));
        }
    }
    let fronts_path = || node_path().attr("fronts");
    if node.fronts.is_empty() || unknown(&fronts_path) {
        return;
    }
    let mut seen = BTreeSet::new();
    for (i, front) in node.fronts.iter().enumerate() {
        let p = fronts_path().index(i);
        let component_path = p.attr("component");
        if !opts.unknowns.covers(&component_path) {
            if let Some(issue) = check_component_id(
                &front.component,
                catalog,
                opts.strict_products,
                &component_path,
            ) {
                issues.push(issue);
            } else if !seen.insert(front.component.as_str()) {
                issues.push(Issue::error(
                    component_path.clone(),
                    format!("Node \"{name}\" fronts \"{}\" twice", front.component),
                    "List each fronted component once; give all its listener ports in one listen_ports.",
                ));
            } else if node.components.contains(&front.component) {
                issues.push(Issue::error(
                    component_path.clone(),
                    format!("Node \"{name}\" fronts \"{}\", which it runs itself", front.component),
                    "A node fronts components that run on other nodes (the servers behind a reverse proxy or load balancer). Remove the component from the node's components or from fronts.",
                ));
            }
        }
        let lp = p.attr("listen_ports");
        if let Some(ports) = front
            .listen_ports
            .as_deref()
            .filter(|_| !opts.unknowns.covers(&lp))
            && let Err(e) = crate::ports::PortSet::parse(ports)
        {
            issues.push(Issue::error(
                lp,
                format!("Invalid listen_ports \"{ports}\""),
                e,
            ));
        }
    }
}

/// `accepted_risks`: every reason is given. Whether a key names a finding
/// or a flow is known only after the computation
/// ([`crate::cloud::risk::unknown_accepted`]).
fn check_accepted_risks(t: &Topology, opts: &CheckOptions, issues: &mut Vec<Issue>) {
    let ap = Path::root().attr("accepted_risks");
    if opts.unknowns.covers(&ap) {
        return;
    }
    for (key, reason) in &t.accepted_risks {
        let p = ap.key(key);
        if opts.unknowns.covers(&p) {
            continue;
        }
        if key.trim().is_empty() {
            issues.push(Issue::error(
                p.clone(),
                "Empty accepted risk key",
                "Name the finding (`cleartext:dmz>master`, see the change request's Risks section) or the flow (`product:flow:from>to:protocol:ports`) being accepted.",
            ));
        }
        if reason.trim().is_empty() {
            issues.push(Issue::error(
                p,
                format!("No reason given for accepting \"{key}\""),
                "An accepted risk needs the reason it is accepted (who decided, why the vendor requires it, what compensates); the change request shows it to the change board.",
            ));
        }
    }
}

fn unknown_product(catalog: &Catalog, pid: &str, path: Path) -> Issue {
    let ids = catalog.products().iter().map(|p| p.id.as_str());
    Issue::error(
        path,
        format!("Unknown product \"{pid}\""),
        format!(
            "The catalog has no product \"{pid}\".{} Known products: {}.",
            did_you_mean(pid, ids),
            product_list(catalog)
        ),
    )
}

/// Checks the settings and features of one configuration of `product`
/// (`products[id]`, an installation or a node override at `pp`).
fn check_config(
    product: &Product,
    cfg: &ProductConfig,
    config_path: &Path,
    unknown: &dyn Fn(&Path) -> bool,
    issues: &mut Vec<Issue>,
) {
    let pid = product.id.as_str();
    for (sid, value) in &cfg.settings {
        let setting_path = config_path.attr("settings").key(sid);
        if unknown(&setting_path) {
            continue;
        }
        match product.setting(sid) {
            None => {
                let suggestion = did_you_mean(sid, product.settings.iter().map(|s| s.id.as_str()));
                issues.push(Issue::error(
                    setting_path,
                    format!("Unknown setting \"{sid}\" for product {pid}"),
                    format!(
                        "{}Settings of {pid}: {}.",
                        if suggestion.is_empty() {
                            String::new()
                        } else {
                            format!("{} ", suggestion.trim_start())
                        },
                        join_or_none(product.settings.iter().map(|s| s.id.as_str()))
                    ),
                ))
            }
            Some(s) => {
                if let Err(e) = parse_setting(s, &value.text()) {
                    issues.push(Issue::error(
                        setting_path,
                        format!("Invalid value for setting \"{sid}\" of {pid}"),
                        capitalize(&e),
                    ));
                }
            }
        }
    }
    for (attr, list) in [
        ("features", &cfg.features),
        ("disabled_features", &cfg.disabled_features),
    ] {
        let features_path = config_path.attr(attr);
        if unknown(&features_path) {
            continue;
        }
        for f in list {
            if product.feature(f).is_none() {
                let suggestion = did_you_mean(f, product.features.iter().map(|x| x.id.as_str()));
                issues.push(Issue::error(
                    features_path.clone(),
                    format!("Unknown feature \"{f}\" for product {pid}"),
                    format!(
                        "{}Features of {pid}: {}.",
                        if suggestion.is_empty() {
                            String::new()
                        } else {
                            format!("{} ", suggestion.trim_start())
                        },
                        join_or_none(product.features.iter().map(|x| x.id.as_str()))
                    ),
                ));
            }
        }
    }
    warn_exclusive_features_enabled_together(product, cfg, config_path, unknown, issues);
    if !unknown(&config_path.attr("features")) && !unknown(&config_path.attr("disabled_features")) {
        for f in &cfg.features {
            if cfg.disabled_features.contains(f) {
                issues.push(Issue::error(
                    config_path.attr("disabled_features"),
                    format!("Feature \"{f}\" is both enabled and disabled"),
                    "Remove it from one of features and disabled_features.",
                ));
            }
        }
    }
}

fn installation_path(name: &str) -> Path {
    Path::root().attr("installations").key(name)
}

/// Checks `installations`: names, products, nodes (declared, listed once)
/// and node overrides (for the installation's own nodes, known settings
/// and features).
fn check_installations(
    t: &Topology,
    catalog: &Catalog,
    opts: &CheckOptions,
    issues: &mut Vec<Issue>,
) {
    let unknown = |p: &Path| opts.unknowns.covers(p);
    if unknown(&Path::root().attr("installations")) {
        return;
    }
    let nodes_known = !unknown(&Path::root().attr("nodes"));
    for (name, inst) in &t.installations {
        let inst_path = installation_path(name);
        if unknown(&inst_path) {
            continue;
        }
        if let Err(e) = check_installation_name(name) {
            issues.push(Issue::error(
                inst_path.clone(),
                format!("Invalid installation name \"{name}\""),
                e,
            ));
        }
        let listed_nodes_path = inst_path.attr("nodes");
        if !unknown(&listed_nodes_path) {
            let mut seen = BTreeSet::new();
            for (i, node) in inst.nodes.iter().enumerate() {
                let p = listed_nodes_path.index(i);
                if unknown(&p) {
                    continue;
                }
                if !seen.insert(node.as_str()) {
                    issues.push(Issue::error(
                        p,
                        format!("Node \"{node}\" is listed twice in installation \"{name}\""),
                        "List each node of an installation once.",
                    ));
                } else if nodes_known && !t.nodes.contains_key(node) {
                    issues.push(Issue::error(
                        p,
                        format!("Unknown node \"{node}\" in installation \"{name}\""),
                        format!(
                            "\"{node}\" is not a key of nodes.{} An installation lists declared nodes.",
                            did_you_mean(node, t.nodes.keys().map(String::as_str))
                        ),
                    ));
                }
            }
        }
        let overrides_path = inst_path.attr("node_overrides");
        if !unknown(&overrides_path) && !unknown(&listed_nodes_path) {
            for node in inst.node_overrides.keys() {
                if !inst.nodes.contains(node) {
                    issues.push(Issue::error(
                        overrides_path.key(node),
                        format!("Override for node \"{node}\" outside installation \"{name}\""),
                        format!(
                            "node_overrides configures nodes of the installation, and \"{node}\" is not in installations[\"{name}\"].nodes.{} Add it to nodes or remove the override.",
                            did_you_mean(node, inst.nodes.iter().map(String::as_str))
                        ),
                    ));
                }
            }
        }
        let product_attr_path = inst_path.attr("product");
        if unknown(&product_attr_path) {
            continue;
        }
        let Some(product) = catalog.product(&inst.product) else {
            if opts.strict_products {
                issues.push(unknown_product(catalog, &inst.product, product_attr_path));
            }
            continue;
        };
        check_config(product, &inst.config(), &inst_path, &unknown, issues);
        check_absent_components(
            product,
            &inst.absent_components,
            &inst_path,
            &unknown,
            issues,
        );
        for (node, ov) in &inst.node_overrides {
            let p = overrides_path.key(node);
            if !unknown(&p) {
                check_config(product, ov, &p, &unknown, issues);
                check_no_absent_components_in_override(name, node, ov, &p, &unknown, issues);
            }
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn join_or_none<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = it.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn product_list(catalog: &Catalog) -> String {
    join_or_none(catalog.products().iter().map(|p| p.id.as_str()))
}

/// Checks one component id against the catalog. Unknown products are only
/// reported when `strict` (user catalogs may define them).
pub fn check_component_id(id: &str, catalog: &Catalog, strict: bool, path: &Path) -> Option<Issue> {
    let Some((pid, cid)) = id.split_once('/') else {
        let hint = match catalog
            .products()
            .iter()
            .find_map(|p| p.component(id).map(|_| format!("{}/{}", p.id, id)))
        {
            Some(full) => format!(" Did you mean \"{full}\"?"),
            None => String::new(),
        };
        return Some(Issue::error(
            path.clone(),
            format!("Invalid component id \"{id}\""),
            format!(
                "Component ids are written product/component, such as \"plossys/output-engine\".{hint}"
            ),
        ));
    };
    let Some(product) = catalog.product(pid) else {
        if !strict {
            return None;
        }
        let ids = catalog.products().iter().map(|p| p.id.as_str());
        return Some(Issue::error(
            path.clone(),
            format!("Unknown product \"{pid}\" in component \"{id}\""),
            format!(
                "The catalog has no product \"{pid}\".{} Known products: {}.",
                did_you_mean(pid, ids),
                product_list(catalog)
            ),
        ));
    };
    if product.component(cid).is_none() {
        let ids = product.components.iter().map(|c| c.id.as_str());
        let hint = match crate::suggest::nearest(cid, ids) {
            Some(n) => format!(" Did you mean \"{pid}/{n}\"?"),
            None => String::new(),
        };
        return Some(Issue::error(
            path.clone(),
            format!("Unknown component \"{id}\""),
            format!(
                "Product {pid} has no component \"{cid}\".{hint} Its components: {}.",
                join_or_none(product.components.iter().map(|c| c.id.as_str()))
            ),
        ));
    }
    None
}

/// Checks the topology strictly and resolves it. Returns the issues found
/// (warnings included); `None` if there was an error.
pub fn resolve<'c>(t: &Topology, catalog: &'c Catalog) -> (Option<Resolved<'c>>, Vec<Issue>) {
    let opts = CheckOptions {
        unknowns: Unknowns::none(),
        strict_products: true,
    };
    let mut issues = check(t, catalog, &opts);
    if crate::issue::has_errors(&issues) {
        return (None, issues);
    }

    let nodes: Vec<ResolvedNode> = t
        .nodes
        .iter()
        .map(|(name, node)| resolve_node(name, node, t, catalog))
        .collect();
    let mut products = Vec::new();
    for product in catalog.products() {
        resolve_installations(product, t, &nodes, &mut products, &mut issues);
    }
    for state in &products {
        warn_port_settings_equal_to_other_ports(state, &nodes, &mut issues);
    }
    let accepted_risks = t.accepted_risks.clone();
    (
        Some(Resolved {
            nodes,
            products,
            accepted_risks,
            zones: t.zones.clone(),
        }),
        issues,
    )
}

/// A node with its components expanded (bundles to their members, as
/// full ids), its addresses parsed, sorted and without duplicates, and its
/// zone's exposure applied.
fn resolve_node(name: &str, n: &Node, t: &Topology, catalog: &Catalog) -> ResolvedNode {
    let mut components = BTreeSet::new();
    for c in &n.components {
        if let Some((product, comp)) = catalog.component(c) {
            for member in product.expand(&comp.id) {
                components.insert(format!("{}/{}", product.id, member));
            }
        }
    }
    let mut cidrs: Vec<IpNet> = n.cidrs.iter().filter_map(|c| parse_cidr(c).ok()).collect();
    cidrs.sort();
    cidrs.dedup();
    let zone = n.zone.clone().unwrap_or_else(|| DEFAULT_ZONE.to_string());
    let zone_exposure = t.zones.get(&zone).map(|z| z.exposure).unwrap_or_default();
    let mut fronts = Vec::new();
    for front in &n.fronts {
        let listen = front
            .listen_ports
            .as_deref()
            .and_then(|p| crate::ports::PortSet::parse(p).ok());
        if let Some((product, comp)) = catalog.component(&front.component) {
            for member in product.expand(&comp.id) {
                fronts.push((format!("{}/{}", product.id, member), listen.clone()));
            }
        }
    }
    ResolvedNode {
        name: name.to_string(),
        components,
        declared: n.components.iter().cloned().collect(),
        cidrs,
        reference: n.reference.clone(),
        kind: n.kind,
        exposure: n.exposure.max(zone_exposure),
        description: n.description.clone(),
        zone,
        fronts,
    }
}

/// The installations of one product: the implicit one (its components on
/// the nodes no explicit installation lists, configured by `products`),
/// then each explicit one in name order. An installation that places
/// nothing is left out, with a warning when it was configured.
fn resolve_installations<'c>(
    product: &'c Product,
    t: &Topology,
    nodes: &[ResolvedNode],
    products: &mut Vec<ProductState<'c>>,
    issues: &mut Vec<Issue>,
) {
    let explicit: Vec<(&String, &Installation)> = t
        .installations
        .iter()
        .filter(|(_, i)| i.product == product.id)
        .collect();
    // Nodes an explicit installation of the product lists: its
    // implicit installation holds the components on the others.
    let mut listed = vec![false; if explicit.is_empty() { 0 } else { nodes.len() }];
    for (_, inst) in &explicit {
        for n in &inst.nodes {
            if let Some(i) = node_index(nodes, n) {
                listed[i] = true;
            }
        }
    }
    let placement = product_placement(product, nodes, |i| !listed.get(i).copied().unwrap_or(false));
    let cfg = t.products.get(&product.id);
    if placement.is_empty() {
        if cfg.is_some() && explicit.is_empty() {
            issues.push(Issue::warning(
                product_path(&product.id),
                format!(
                    "Product {} is configured but none of its components is placed",
                    product.id
                ),
                "Its settings and features have no effect until a node runs one of its components.",
            ));
        } else if cfg.is_some() {
            issues.push(Issue::warning(
                product_path(&product.id),
                format!("products[\"{}\"] configures no node", product.id),
                format!(
                    "products configures the components of {} on nodes that no installation of it lists, and there are none; configure each installation in installations instead.",
                    product.id
                ),
            ));
        }
    } else {
        check_once_per_installation(product, None, &placement, nodes, issues);
        if let Some(cfg) = cfg {
            warn_absent_components_placed(
                product,
                &cfg.absent_components,
                &placement,
                nodes,
                &product_path(&product.id),
                issues,
            );
        }
        let cfg = cfg.cloned().unwrap_or_default();
        products.push(product_state(
            product,
            None,
            cfg,
            Vec::new(),
            placement,
            nodes,
            issues,
        ));
    }
    for (name, inst) in explicit {
        if let Some(state) = resolve_explicit_installation(product, name, inst, nodes, issues) {
            products.push(state);
        }
    }
}

/// One explicit installation (`installations[NAME]`) of a product, or
/// `None` (with a warning) when none of its nodes runs the product.
fn resolve_explicit_installation<'c>(
    product: &'c Product,
    name: &str,
    inst: &Installation,
    nodes: &[ResolvedNode],
    issues: &mut Vec<Issue>,
) -> Option<ProductState<'c>> {
    let mine: Vec<usize> = inst
        .nodes
        .iter()
        .filter_map(|n| node_index(nodes, n))
        .collect();
    let placement = product_placement(product, nodes, |i| mine.contains(&i));
    if placement.is_empty() {
        issues.push(Issue::warning(
            installation_path(name).attr("nodes"),
            format!("Installation \"{name}\" runs no component of {}", product.id),
            format!(
                "None of its nodes runs a component of {}, so the installation has no flows. Add the nodes that run it, or place its components on these nodes.",
                product.id
            ),
        ));
        return None;
    }
    check_once_per_installation(product, Some(name), &placement, nodes, issues);
    warn_absent_components_placed(
        product,
        &inst.absent_components,
        &placement,
        nodes,
        &installation_path(name),
        issues,
    );
    let mut overrides: Vec<(usize, ProductConfig)> = inst
        .node_overrides
        .iter()
        .filter_map(|(n, ov)| Some((node_index(nodes, n)?, ov.clone())))
        .collect();
    overrides.sort_by_key(|(i, _)| *i);
    Some(product_state(
        product,
        Some(name.to_string()),
        inst.config(),
        overrides,
        placement,
        nodes,
        issues,
    ))
}

/// Warns when a component that one installation has exactly once (the
/// catalog's `once_per_installation`) runs on several nodes of one
/// installation or on a group node: usually two deployments that would get
/// rules between each other.
fn check_once_per_installation(
    product: &Product,
    installation: Option<&str>,
    placement: &BTreeMap<String, Vec<usize>>,
    nodes: &[ResolvedNode],
    issues: &mut Vec<Issue>,
) {
    for component in product
        .components
        .iter()
        .filter(|c| c.once_per_installation)
    {
        let on = placement
            .get(&component.id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let group = on.iter().find(|&&i| nodes[i].kind == NodeKind::Group);
        if on.len() < 2 && group.is_none() {
            continue;
        }
        let names: Vec<String> = on
            .iter()
            .map(|&i| format!("\"{}\"", nodes[i].name))
            .collect();
        let (path, whose, fix) = match installation {
            None => (
                Path::root().attr("nodes").key(&nodes[on[on.len() - 1]].name).attr("components"),
                format!("the implicit installation of {}", product.id),
                "If these are separate deployments (production and test, regions, tenants), declare each in `installations` with its own nodes, so that flows connect only the components of one deployment; as it is, each gets rules to the others' servers.".to_string(),
            ),
            Some(name) => (
                installation_path(name).attr("nodes"),
                format!("installation \"{name}\""),
                "If these are separate deployments, give each its own installation in `installations`.".to_string(),
            ),
        };
        let summary = match group {
            Some(&g) if on.len() == 1 => format!(
                "{}/{} runs on group node \"{}\" in {whose}",
                product.id, component.id, nodes[g].name
            ),
            _ => format!(
                "{}/{} runs on {} nodes of {whose}",
                product.id,
                component.id,
                on.len()
            ),
        };
        issues.push(Issue::warning(
            path,
            summary,
            format!(
                "One installation of {} has exactly one {} ({}), and it runs on {}. {fix}",
                product.name,
                component.name,
                component.id,
                name_list(&names)
            ),
        ));
    }
}

/// Names joined with commas; past [`MAX_LISTED_NAMES`], the first few and
/// how many more, so that a warning about 400 nodes stays readable.
fn name_list(names: &[String]) -> String {
    if names.len() <= MAX_LISTED_NAMES {
        return names.join(", ");
    }
    let shown = MAX_LISTED_NAMES - 2;
    format!(
        "{} and {} more",
        names[..shown].join(", "),
        names.len() - shown
    )
}

/// The most node names a warning lists in full.
const MAX_LISTED_NAMES: usize = 8;

fn node_index(nodes: &[ResolvedNode], name: &str) -> Option<usize> {
    nodes.binary_search_by(|n| n.name.as_str().cmp(name)).ok()
}

/// Where the product's components run, on the nodes `include` accepts.
fn product_placement(
    product: &Product,
    nodes: &[ResolvedNode],
    include: impl Fn(usize) -> bool,
) -> BTreeMap<String, Vec<usize>> {
    let mut placement: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let prefix = format!("{}/", product.id);
    for (i, n) in nodes.iter().enumerate() {
        for c in &n.components {
            if let Some(cid) = c.strip_prefix(&prefix)
                && include(i)
            {
                placement.entry(cid.to_string()).or_default().push(i);
            }
        }
    }
    placement
}

/// One installation's state: its effective settings and features, with the
/// warnings about exclusive groups none of whose features is on.
fn product_state<'c>(
    product: &'c Product,
    installation: Option<String>,
    config: ProductConfig,
    overrides: Vec<(usize, ProductConfig)>,
    placement: BTreeMap<String, Vec<usize>>,
    nodes: &[ResolvedNode],
    issues: &mut Vec<Issue>,
) -> ProductState<'c> {
    let base = match &installation {
        None => product_path(&product.id),
        Some(i) => installation_path(i),
    };
    let (settings, overridden) =
        effective_settings(product, &config, &placement, nodes, &base, issues);
    let features = effective_features(product, &config, &placement, nodes);
    for g in &product.groups {
        let Some(req) = &g.required_with else {
            continue;
        };
        let in_group: Vec<&str> = product
            .features
            .iter()
            .filter(|f| f.group.as_deref() == Some(g.id.as_str()))
            .map(|f| f.id.as_str())
            .collect();
        if placement.contains_key(req) && !in_group.iter().any(|f| features.contains(*f)) {
            issues.push(Issue::warning(
                base.attr("features"),
                format!("{}: choose the {}", product.id, g.name.to_lowercase()),
                format!(
                    "{}/{} is placed, but none of the features {} is enabled, so no rule to it is computed. Enable the one that applies in {}.features.",
                    product.id,
                    req,
                    in_group.join(", "),
                    base
                ),
            ));
        }
    }
    ProductState {
        product,
        settings,
        overridden,
        features,
        placement,
        installation,
        config,
        overrides,
    }
}

fn effective_settings(
    product: &Product,
    cfg: &ProductConfig,
    placement: &BTreeMap<String, Vec<usize>>,
    nodes: &[ResolvedNode],
    base: &Path,
    issues: &mut Vec<Issue>,
) -> (Settings, BTreeSet<String>) {
    let mut settings = Settings::defaults(product);
    let mut overridden = BTreeSet::new();
    for s in &product.settings {
        if let Some(v) = cfg.settings.get(&s.id) {
            if let Ok(val) = parse_setting(s, &v.text()) {
                settings.set(&s.id, val);
                overridden.insert(s.id.clone());
            }
        } else if let Some(c) = &s.count_of {
            let on = placement.get(c).map(Vec::as_slice).unwrap_or(&[]);
            let n = on.len() as u32;
            if n > 1 {
                settings.set(
                    &s.id,
                    SettingValue::Count(
                        n.min(s.max.unwrap_or(crate::catalog::values::DEFAULT_MAX_COUNT)),
                    ),
                );
            }
            if on.iter().any(|&i| nodes[i].kind == NodeKind::Group) {
                issues.push(Issue::warning(
                    base.attr("settings"),
                    format!("Set {} for {}", s.id, product.id),
                    format!(
                        "{} counts the servers running {}/{}, but a group node hides how many servers it holds; set {}.settings.{} to the real number.",
                        s.id, product.id, c, base, s.id
                    ),
                ));
            }
        }
    }
    (settings, overridden)
}

fn placement_matches(
    p: &Placement,
    placement: &BTreeMap<String, Vec<usize>>,
    nodes: &[ResolvedNode],
) -> bool {
    let on = |c: &str| placement.get(c).map(Vec::as_slice).unwrap_or(&[]);
    match p {
        Placement::Placed(c) => !on(c).is_empty(),
        Placement::Multiple(c) => {
            on(c).len() > 1 || on(c).iter().any(|&i| nodes[i].kind == NodeKind::Group)
        }
        Placement::Apart([a, b]) => {
            let (a, b) = (on(a), on(b));
            !a.is_empty() && !b.is_empty() && a != b
        }
    }
}

/// The effective features of a product: defaults and automatic ones, with
/// exclusive groups narrowed to the user's choice, plus the user's features,
/// minus the disabled ones.
pub fn effective_features(
    product: &Product,
    cfg: &ProductConfig,
    placement: &BTreeMap<String, Vec<usize>>,
    nodes: &[ResolvedNode],
) -> BTreeSet<String> {
    let user: BTreeSet<&str> = cfg.features.iter().map(String::as_str).collect();
    let mut on: BTreeSet<String> = product
        .features
        .iter()
        .filter(|f| {
            f.default
                || f.auto
                    .as_ref()
                    .is_some_and(|p| placement_matches(p, placement, nodes))
        })
        .map(|f| f.id.clone())
        .collect();
    for g in product.groups.iter().filter(|g| g.exclusive) {
        let members: Vec<&Feature> = product
            .features
            .iter()
            .filter(|f| f.group.as_deref() == Some(g.id.as_str()))
            .collect();
        if members.iter().any(|f| user.contains(f.id.as_str())) {
            for f in members {
                if !user.contains(f.id.as_str()) {
                    on.remove(&f.id);
                }
            }
        }
    }
    for f in &user {
        if product.feature(f).is_some() {
            on.insert((*f).to_string());
        }
    }
    for f in &cfg.disabled_features {
        on.remove(f);
    }
    on
}

/// The components (ids within the product, bundles expanded to their
/// members) that a configuration declares deliberately absent in
/// `absent_components`. Ids of other products and unknown ids are ignored
/// here; [`check`] reports them.
pub fn deliberately_absent_components(
    product: &Product,
    config: &ProductConfig,
) -> BTreeSet<String> {
    let prefix = format!("{}/", product.id);
    config
        .absent_components
        .iter()
        .filter_map(|id| id.strip_prefix(&prefix))
        .flat_map(|component| product.expand(component))
        .map(str::to_string)
        .collect()
}

/// Checks `absent_components` of `products[id]` or an installation (at
/// `config_path`): every entry is a component of the installation's product,
/// written `product/component`, listed once.
fn check_absent_components(
    product: &Product,
    absent_components: &[String],
    config_path: &Path,
    unknown: &dyn Fn(&Path) -> bool,
    issues: &mut Vec<Issue>,
) {
    let absent_path = config_path.attr("absent_components");
    if unknown(&absent_path) {
        return;
    }
    let product_id = product.id.as_str();
    let full_component_ids: Vec<String> = product
        .components
        .iter()
        .map(|c| format!("{product_id}/{}", c.id))
        .collect();
    let mut seen = BTreeSet::new();
    for id in absent_components {
        if !seen.insert(id.as_str()) {
            issues.push(Issue::warning(
                absent_path.clone(),
                format!("Component \"{id}\" is listed twice in absent_components"),
                "",
            ));
            continue;
        }
        if full_component_ids.iter().any(|full| full == id) {
            continue;
        }
        // "cloud-services" or "1e-platform/cloud-service": suggest the
        // full id of the nearest component.
        let written_component = id.rsplit('/').next().unwrap_or(id);
        let hint = match crate::suggest::nearest(
            written_component,
            product.components.iter().map(|c| c.id.as_str()),
        ) {
            Some(nearest) => format!(" Did you mean \"{product_id}/{nearest}\"?"),
            None => String::new(),
        };
        issues.push(Issue::error(
            absent_path.clone(),
            format!("\"{id}\" is not a component of {product_id}"),
            format!(
                "absent_components lists components of {product_id} that this installation deliberately does without, written {product_id}/component.{hint} Components of {product_id}: {}.",
                join_or_none(full_component_ids.iter().map(String::as_str))
            ),
        ));
    }
}

/// A node override cannot declare components absent: absence concerns the
/// whole installation, whose flows connect all of its nodes.
fn check_no_absent_components_in_override(
    installation: &str,
    node: &str,
    node_override: &ProductConfig,
    override_path: &Path,
    unknown: &dyn Fn(&Path) -> bool,
    issues: &mut Vec<Issue>,
) {
    let absent_path = override_path.attr("absent_components");
    if node_override.absent_components.is_empty() || unknown(&absent_path) {
        return;
    }
    issues.push(Issue::error(
        absent_path,
        format!("absent_components in the override of node \"{node}\""),
        format!(
            "A component is absent from a whole installation, not from one of its nodes; move absent_components to installations[\"{installation}\"]."
        ),
    ));
}

/// Warns about components that a configuration (at `config_path`) declares
/// deliberately absent although a node of the installation runs them: the
/// declaration would hide nothing, and is probably out of date.
fn warn_absent_components_placed(
    product: &Product,
    absent_components: &[String],
    placement: &BTreeMap<String, Vec<usize>>,
    nodes: &[ResolvedNode],
    config_path: &Path,
    issues: &mut Vec<Issue>,
) {
    let prefix = format!("{}/", product.id);
    let mut warned = BTreeSet::new();
    for id in absent_components {
        let Some(component) = id.strip_prefix(&prefix) else {
            continue;
        };
        let placed_on: BTreeSet<&str> = product
            .expand(component)
            .into_iter()
            .flat_map(|member| placement.get(member).map(Vec::as_slice).unwrap_or(&[]))
            .map(|&i| nodes[i].name.as_str())
            .collect();
        if placed_on.is_empty() || !warned.insert(id.as_str()) {
            continue;
        }
        let names: Vec<String> = placed_on.iter().map(|n| format!("\"{n}\"")).collect();
        issues.push(Issue::warning(
            config_path.attr("absent_components"),
            format!("{id} is declared absent but is placed"),
            format!(
                "{config_path}.absent_components lists {id}, yet it runs on {} of this installation, so its flows are computed as usual. Remove it from absent_components, or from the nodes.",
                name_list(&names)
            ),
        ));
    }
}

/// Warns about a node address (CIDR or single address) that is exactly an
/// address of another node, at the second node's `cidrs[i]` (nodes in name
/// order), naming the first: rules for one would admit the other. The whole
/// address space (`0.0.0.0/0`, `::/0`) stands for "anywhere" rather than
/// for one network and may be the address of several nodes (the internet
/// as clients and as a cloud service).
fn warn_nodes_sharing_an_address(t: &Topology, opts: &CheckOptions, issues: &mut Vec<Issue>) {
    let mut first_node_of_address: BTreeMap<IpNet, &str> = BTreeMap::new();
    // Paths are made only for a warning or when something is unknown.
    let unknown = |p: &dyn Fn() -> Path| opts.unknowns.covers_made(p);
    for (name, node) in &t.nodes {
        let cidrs_path = || nodes_path(name).attr("cidrs");
        if unknown(&cidrs_path) {
            continue;
        }
        let mut own_addresses = BTreeSet::new();
        for (i, cidr) in node.cidrs.iter().enumerate() {
            let path = || cidrs_path().index(i);
            if unknown(&path) {
                continue;
            }
            let Ok(address) = parse_cidr(cidr) else {
                continue;
            };
            if address.prefix_len() == 0 || !own_addresses.insert(address) {
                continue;
            }
            match first_node_of_address.get(&address) {
                Some(other) => issues.push(Issue::warning(
                    path(),
                    format!("Address {address} is also an address of node \"{other}\""),
                    format!(
                        "Nodes \"{other}\" and \"{name}\" both have the address {address}, so the rules of each also admit the other. If they are one server, place both sets of components on one node; otherwise give each its own address."
                    ),
                )),
                None => {
                    first_node_of_address.insert(address, name.as_str());
                }
            }
        }
    }
}

/// Warns when one configuration (`products[id]`, an installation, a node
/// override at `config_path`) enables two or more features of one exclusive
/// group itself: they are alternatives (LDAP or LDAPS), and enabling both
/// opens the ports of both.
fn warn_exclusive_features_enabled_together(
    product: &Product,
    config: &ProductConfig,
    config_path: &Path,
    unknown: &dyn Fn(&Path) -> bool,
    issues: &mut Vec<Issue>,
) {
    let features_path = config_path.attr("features");
    if unknown(&features_path) {
        return;
    }
    for group in product.groups.iter().filter(|g| g.exclusive) {
        let enabled_in_group: Vec<&str> = product
            .features
            .iter()
            .filter(|f| f.group.as_deref() == Some(group.id.as_str()))
            .filter(|f| config.features.contains(&f.id))
            .map(|f| f.id.as_str())
            .collect();
        if enabled_in_group.len() < 2 {
            continue;
        }
        issues.push(Issue::warning(
            features_path.clone(),
            format!(
                "{}: {} are alternatives, and {} enabled",
                product.id,
                enabled_in_group.join(" and "),
                if enabled_in_group.len() == 2 {
                    "both are"
                } else {
                    "all are"
                }
            ),
            format!(
                "{} ({}) is an exclusive group: its features are alternatives, and enabling one turns the others off. Enabling {} together opens the ports of each. Keep only the one the deployment uses, unless it really uses all of them.",
                group.name,
                group.description.trim_end_matches('.'),
                enabled_in_group.join(", ")
            ),
        ));
    }
}

/// Where a flow's listening port comes from: a setting, or the catalog's
/// fixed number (then the flow id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PortOrigin<'c> {
    Setting(&'c str),
    Fixed(&'c str),
}

/// One port (or range) a component of an installation listens on.
struct ListeningPort<'c> {
    component: &'c str,
    protocol: crate::catalog::Protocol,
    range: crate::ports::PortRange,
    origin: PortOrigin<'c>,
    flow: &'c crate::catalog::Flow,
}

/// The ports the placed components of an installation listen on, by the
/// flows to them that its features switch on, each with its origin.
fn listening_ports<'c>(state: &ProductState<'c>) -> Vec<ListeningPort<'c>> {
    use crate::catalog::{PortBase, PortExpr, values::eval_ports};
    let product = state.product;
    let mut ports = Vec::new();
    for flow in &product.flows {
        if state.nodes_of(&flow.to).is_empty() {
            continue;
        }
        let on = flow
            .condition
            .as_ref()
            .is_none_or(|c| c.holds(&|f| state.features.contains(f)));
        if !on {
            continue;
        }
        for expr in &flow.ports {
            let origin = match expr {
                PortExpr::Base(PortBase::Setting { setting, .. }) => {
                    PortOrigin::Setting(setting.as_str())
                }
                PortExpr::List { ports_setting } => PortOrigin::Setting(ports_setting.as_str()),
                PortExpr::Series { series } => match &series.start {
                    PortBase::Setting { setting, .. } => PortOrigin::Setting(setting.as_str()),
                    _ => PortOrigin::Fixed(flow.id.as_str()),
                },
                _ => PortOrigin::Fixed(flow.id.as_str()),
            };
            let Ok(set) = eval_ports(std::slice::from_ref(expr), &state.settings) else {
                continue;
            };
            for protocol in flow.protocol.list() {
                for &range in set.ranges() {
                    ports.push(ListeningPort {
                        component: flow.to.as_str(),
                        protocol,
                        range,
                        origin,
                        flow,
                    });
                }
            }
        }
    }
    ports
}

/// Warns about a port setting set explicitly (in `products[id]` or an
/// installation) whose port is also a port, from another setting or fixed by
/// the catalog, that the same component, or a component on the same node,
/// listens on for another flow of the installation (Spotfire `http_port =
/// 9080`, the server's registration port): one of the two services cannot
/// get it. Ranges of [`crate::cloud::risk::WIDE_RANGE`] ports or more
/// (dynamic and engine ranges) are not compared. Values equal by the
/// catalog's defaults are the vendor's design and not reported.
fn warn_port_settings_equal_to_other_ports(
    state: &ProductState<'_>,
    nodes: &[ResolvedNode],
    issues: &mut Vec<Issue>,
) {
    if state.overridden.is_empty() {
        return;
    }
    let product = state.product;
    let ports = listening_ports(state);
    let side_by_side = |a: &str, b: &str| {
        a == b || {
            let on_b = state.nodes_of(b);
            state.nodes_of(a).iter().any(|n| on_b.contains(n))
        }
    };
    let mut reported: BTreeSet<(&str, String)> = BTreeSet::new();
    for mine in &ports {
        let PortOrigin::Setting(setting) = mine.origin else {
            continue;
        };
        if !state.overridden.contains(setting) {
            continue;
        }
        for other in &ports {
            if other.origin == mine.origin
                || other.protocol != mine.protocol
                || !other.range.overlaps(&mine.range)
                || other.range.len() >= crate::cloud::risk::WIDE_RANGE
                || mine.range.len() >= crate::cloud::risk::WIDE_RANGE
                || !side_by_side(mine.component, other.component)
            {
                continue;
            }
            // Two settings set to one port: reported once, at the first.
            if let PortOrigin::Setting(other_setting) = other.origin
                && state.overridden.contains(other_setting)
                && other_setting < setting
            {
                continue;
            }
            let (other_text, other_key) = match other.origin {
                PortOrigin::Setting(other_setting) => (
                    match product.setting(other_setting) {
                        Some(s) => format!("the {} (`{other_setting}`)", s.name),
                        None => format!("`{other_setting}`"),
                    },
                    other_setting.to_string(),
                ),
                PortOrigin::Fixed(flow) => (
                    format!("the port of flow {flow} ({})", other.flow.purpose),
                    flow.to_string(),
                ),
            };
            if !reported.insert((setting, other_key)) {
                continue;
            }
            let shared_nodes: Vec<String> = if mine.component == other.component {
                state.nodes_of(mine.component).to_vec()
            } else {
                let on_other = state.nodes_of(other.component);
                state
                    .nodes_of(mine.component)
                    .iter()
                    .copied()
                    .filter(|n| on_other.contains(n))
                    .collect()
            }
            .into_iter()
            .map(|i| format!("\"{}\"", nodes[i].name))
            .collect();
            let value = state
                .settings
                .get(setting)
                .map(ToString::to_string)
                .unwrap_or_default();
            issues.push(Issue::warning(
                state.config_path().attr("settings").key(setting),
                format!(
                    "{}: {setting} = {value} is also {other_text}",
                    state.key_name()
                ),
                format!(
                    "On {}, {}/{} listens on {} {} for flow {} ({}) and {}/{} on {} {} for flow {} ({}): two services cannot listen on one port. Choose another value for {setting}.",
                    name_list(&shared_nodes),
                    product.id,
                    mine.component,
                    mine.protocol,
                    mine.range,
                    mine.flow.id,
                    mine.flow.purpose,
                    product.id,
                    other.component,
                    other.protocol,
                    other.range,
                    other.flow.id,
                    other.flow.purpose,
                ),
            ));
        }
    }
}
