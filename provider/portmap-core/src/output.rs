//! The output objects shared by the data sources and the CLI's JSON: one
//! definition, so `portmap flows --format json` prints exactly what
//! `data.portmap_flows` returns.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::catalog::{
    Catalog, PortExpr, Product, SettingDefault, SettingValue, Settings,
    values::{describe_ports, eval_ports},
};
use crate::flows::{FlowRecord, Unresolved};
use crate::rules::{Computation, Rule};

/// A flow of a topology (`portmap_flows.flows`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowOut {
    /// Content-derived key.
    pub key: String,
    /// Product id.
    pub product: String,
    /// Catalog flow id.
    pub flow: String,
    /// Node opening the connection.
    pub from_node: String,
    /// Node listening.
    pub to_node: String,
    /// Component on the from side.
    pub from_component: String,
    /// Component on the to side.
    pub to_component: String,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// First destination port.
    pub from_port: u16,
    /// Last destination port.
    pub to_port: u16,
    /// Application protocol.
    pub app_protocol: String,
    /// What the connection is for, from the vendor's table.
    pub purpose: String,
    /// Vendor citation.
    pub citation: String,
    /// Catalog condition, null when unconditional.
    pub condition: Option<String>,
    /// Both ends on one machine.
    pub internal: bool,
    /// The catalog says a firewall rule is needed.
    pub firewall: bool,
    /// For a flow a fronting node redirects (`fronts`): `in front of NODE`
    /// on the way to the fronting node, `for NODE` (the client) on the way
    /// on to the server. Left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay: Option<String>,
}

impl From<&FlowRecord<'_>> for FlowOut {
    fn from(f: &FlowRecord<'_>) -> Self {
        FlowOut {
            key: f.key.to_string(),
            product: f.product.to_string(),
            flow: f.flow.to_string(),
            from_node: f.from_node.to_string(),
            to_node: f.to_node.to_string(),
            from_component: f.from_component.to_string(),
            to_component: f.to_component.to_string(),
            protocol: f.protocol.as_str().to_string(),
            from_port: f.ports.from,
            to_port: f.ports.to,
            app_protocol: f.app_protocol.to_string(),
            purpose: f.purpose.to_string(),
            citation: f.citation.to_string(),
            condition: f.condition.as_deref().map(str::to_string),
            internal: f.internal,
            firewall: f.firewall,
            relay: f.relay.as_deref().map(str::to_string),
        }
    }
}

/// A rule (`portmap_flows.rules[key]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleOut {
    /// Node the rule belongs to.
    pub node: String,
    /// `ingress` or `egress`.
    pub direction: String,
    /// The other node.
    pub peer: String,
    /// The peer's CIDRs.
    pub peer_cidrs: Vec<String>,
    /// The peer's reference.
    pub peer_ref: Option<String>,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// First port.
    pub from_port: u16,
    /// Last port.
    pub to_port: u16,
    /// Product and purposes.
    pub description: String,
    /// Keys of the flows served.
    pub flows: Vec<String>,
}

impl From<&Rule> for RuleOut {
    fn from(r: &Rule) -> Self {
        RuleOut {
            node: r.node.to_string(),
            direction: r.direction.as_str().to_string(),
            peer: r.peer.to_string(),
            peer_cidrs: r.peer_cidrs.to_vec(),
            peer_ref: r.peer_ref.as_deref().map(str::to_string),
            protocol: r.protocol.as_str().to_string(),
            from_port: r.ports.from,
            to_port: r.ports.to,
            description: r.description.to_string(),
            flows: r.flows.iter().map(|k| k.to_string()).collect(),
        }
    }
}

/// A flow that cannot be placed (`portmap_flows.unresolved`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnresolvedOut {
    /// `product:flow`.
    pub key: String,
    /// Product id.
    pub product: String,
    /// Catalog flow id.
    pub flow: String,
    /// The component that opens the connection (`product/component`).
    pub from_component: String,
    /// The component that accepts it.
    pub to_component: String,
    /// The component no node runs.
    pub missing_component: String,
    /// Nodes running the other end.
    pub present_nodes: Vec<String>,
    /// Protocol(s).
    pub protocol: String,
    /// The ports at the topology's settings (`443`, `5701-5703`).
    pub ports: String,
    /// What the connection is for, from the vendor's table.
    pub purpose: String,
    /// Vendor citation.
    pub citation: String,
}

impl From<&Unresolved> for UnresolvedOut {
    fn from(u: &Unresolved) -> Self {
        UnresolvedOut {
            key: u.key.clone(),
            product: u.product.clone(),
            flow: u.flow.clone(),
            from_component: u.from_component.clone(),
            to_component: u.to_component.clone(),
            missing_component: u.missing_component.clone(),
            present_nodes: u.present_nodes.clone(),
            protocol: u.protocol.clone(),
            ports: u.ports.clone(),
            purpose: u.purpose.clone(),
            citation: u.citation.clone(),
        }
    }
}

/// Everything `portmap_flows` computes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowsOutput {
    /// Flows, sorted by key.
    pub flows: Vec<FlowOut>,
    /// Rules by key.
    pub rules: BTreeMap<String, RuleOut>,
    /// Unresolved flows.
    pub unresolved: Vec<UnresolvedOut>,
}

impl FlowsOutput {
    /// The output of a computation.
    pub fn new(c: &Computation<'_>) -> Self {
        Self::for_nodes(c, None)
    }

    /// The output for some nodes only (`portmap_flows.for_nodes`), or for
    /// all when `nodes` is `None`: the rules enforced at those nodes, and
    /// the flows from or to them, which include every flow those rules
    /// serve. The selected objects are the same as in the whole output
    /// (same keys, same contents). Unresolved flows are all kept: they are
    /// about the topology as a whole.
    pub fn for_nodes(c: &Computation<'_>, nodes: Option<&BTreeSet<String>>) -> Self {
        let wanted = |node: &str| nodes.is_none_or(|s| s.contains(node));
        FlowsOutput {
            flows: c
                .flows
                .iter()
                .filter(|f| wanted(&f.from_node) || wanted(&f.to_node))
                .map(FlowOut::from)
                .collect(),
            rules: c
                .rules
                .iter()
                .filter(|(_, r)| wanted(&r.node))
                .map(|(k, r)| (k.to_string(), RuleOut::from(r)))
                .collect(),
            unresolved: c.unresolved.iter().map(UnresolvedOut::from).collect(),
        }
    }
}

/// [`FlowsOutput`] of a whole computation, serialized straight from it one
/// flow and one rule at a time: the same bytes as serializing
/// `FlowsOutput::new(c)`, without holding a copy of every flow and rule
/// (which more than doubled the CLI's peak memory on large meshes).
pub struct FlowsOutputView<'a, 'c>(pub &'a Computation<'c>);

impl Serialize for FlowsOutputView<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("FlowsOutput", 3)?;
        out.serialize_field("flows", &FlowsView(&self.0.flows))?;
        out.serialize_field("rules", &RulesView(&self.0.rules))?;
        out.serialize_field("unresolved", &UnresolvedView(&self.0.unresolved))?;
        out.end()
    }
}

/// `FlowsOutput::rules` of a computation, serialized one rule at a time.
pub struct RulesView<'a>(pub &'a crate::rules::RuleMap);

impl Serialize for RulesView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(
            self.0
                .iter()
                .map(|(key, rule)| (&**key, RuleOut::from(rule))),
        )
    }
}

struct FlowsView<'a, 'c>(&'a [FlowRecord<'c>]);

impl Serialize for FlowsView<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(FlowOut::from))
    }
}

struct UnresolvedView<'a>(&'a [Unresolved]);

impl Serialize for UnresolvedView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(UnresolvedOut::from))
    }
}

/// A component in `portmap_catalog.products[*].components`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentOut {
    /// Full id `product/component`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// What the component does, from the vendor document.
    pub description: String,
    /// What kind of party it is: `server`, `client`, `database`, `directory`,
    /// `service` or `internet`.
    pub role: String,
    /// Bundled components (full ids), empty unless a bundle.
    pub includes: Vec<String>,
    /// Optional party.
    pub optional: bool,
}

/// A setting in `portmap_catalog.products[*].settings`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingOut {
    /// Setting id.
    pub id: String,
    /// Human name.
    pub name: String,
    /// What the setting configures, and where the vendor documents it.
    pub description: String,
    /// `port`, `count` or `ports`.
    pub kind: String,
    /// Default value as text.
    pub default: String,
    /// Where the vendor configures it.
    pub vendor_setting: Option<String>,
}

/// A feature in `portmap_catalog.products[*].features`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureOut {
    /// Feature id.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Which flows the feature adds or removes.
    pub description: String,
    /// On unless disabled.
    pub default: bool,
    /// When it switches on by itself, e.g. `placed: tachyon-5/catalog-server`.
    pub auto: Option<String>,
    /// Group id.
    pub group: Option<String>,
}

/// A group of related features in `portmap_catalog.products[*].groups`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureGroupOut {
    /// Group id, as features name it in `group`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// What the choice is about.
    pub description: String,
    /// Alternatives: enabling one feature of the group turns its other
    /// features off unless they are enabled too. In a group that is not
    /// exclusive, each feature is on or off by itself.
    pub exclusive: bool,
    /// The component (full id) whose placement asks for one feature of the
    /// group to be on (a warning otherwise), or null.
    pub required_with: Option<String>,
    /// The ids of the group's features, in catalog order.
    pub features: Vec<String>,
}

/// A product in `portmap_catalog.products`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductOut {
    /// Product id.
    pub id: String,
    /// Human name.
    pub name: String,
    /// The vendor as the document names it.
    pub vendor: String,
    /// Version the document describes.
    pub version: String,
    /// What the product is, in a sentence.
    pub description: String,
    /// Source document file name.
    pub source_document: String,
    /// Source document title.
    pub source_title: String,
    /// The parts a topology places on nodes.
    pub components: Vec<ComponentOut>,
    /// Settings with defaults.
    pub settings: Vec<SettingOut>,
    /// Optional or alternative parts of the deployment that add or remove flows.
    pub features: Vec<FeatureOut>,
    /// Groups of related features, with their exclusivity.
    pub groups: Vec<FeatureGroupOut>,
}

/// A catalog flow at default settings (`portmap_catalog.flows`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogFlowOut {
    /// Catalog flow id.
    pub id: String,
    /// Product id.
    pub product: String,
    /// From component (full id).
    pub from_component: String,
    /// To component (full id).
    pub to_component: String,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// First port at default settings; null when the ports come from an
    /// empty setting.
    pub from_port: Option<u16>,
    /// Last port at default settings.
    pub to_port: Option<u16>,
    /// The port expression as the catalog writes it.
    pub ports_expression: String,
    /// Application protocol.
    pub app_protocol: String,
    /// What the connection is for, from the vendor's table.
    pub purpose: String,
    /// Condition; null when unconditional.
    pub condition: Option<String>,
    /// The catalog says a firewall must allow it.
    pub firewall: bool,
    /// `network` or `host`.
    pub scope: String,
    /// `database`, `admin` or null.
    pub sensitive: Option<String>,
    /// Unencrypted application protocol.
    pub cleartext: bool,
    /// Vendor citation.
    pub citation: String,
    /// How an ambiguous row was read.
    pub note: Option<String>,
}

/// `portmap_catalog`'s output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogOutput {
    /// Products, sorted by id.
    pub products: Vec<ProductOut>,
    /// Flows in product and catalog order.
    pub flows: Vec<CatalogFlowOut>,
}

fn placement_text(p: &crate::catalog::Placement, product: &str) -> String {
    use crate::catalog::Placement;
    match p {
        Placement::Placed(c) => format!("when {product}/{c} is placed"),
        Placement::Multiple(c) => format!("when {product}/{c} runs on more than one server"),
        Placement::Apart([a, b]) => {
            format!("when {product}/{a} and {product}/{b} run on different nodes")
        }
    }
}

/// Describes a product.
pub fn product_out(p: &Product) -> ProductOut {
    ProductOut {
        id: p.id.clone(),
        name: p.name.clone(),
        vendor: p.vendor.clone(),
        version: p.version.clone(),
        description: p.description.clone(),
        source_document: p.source.document.clone(),
        source_title: p.source.title.clone(),
        components: p
            .components
            .iter()
            .map(|c| ComponentOut {
                id: format!("{}/{}", p.id, c.id),
                name: c.name.clone(),
                description: c.description.clone(),
                role: serde_json::to_value(c.role)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                includes: c
                    .includes
                    .iter()
                    .map(|i| format!("{}/{}", p.id, i))
                    .collect(),
                optional: c.optional,
            })
            .collect(),
        settings: p
            .settings
            .iter()
            .map(|s| SettingOut {
                id: s.id.clone(),
                name: s.name.clone(),
                description: s.description.clone(),
                kind: serde_json::to_value(s.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                default: match &s.default {
                    SettingDefault::Number(n) => n.to_string(),
                    SettingDefault::Text(t) => t.clone(),
                },
                vendor_setting: s.vendor_setting.clone(),
            })
            .collect(),
        features: p
            .features
            .iter()
            .map(|f| FeatureOut {
                id: f.id.clone(),
                name: f.name.clone(),
                description: f.description.clone(),
                default: f.default,
                auto: f.auto.as_ref().map(|a| placement_text(a, &p.id)),
                group: f.group.clone(),
            })
            .collect(),
        groups: p
            .groups
            .iter()
            .map(|g| FeatureGroupOut {
                id: g.id.clone(),
                name: g.name.clone(),
                description: g.description.clone(),
                exclusive: g.exclusive,
                required_with: g.required_with.as_ref().map(|c| format!("{}/{c}", p.id)),
                features: p
                    .features
                    .iter()
                    .filter(|f| f.group.as_deref() == Some(g.id.as_str()))
                    .map(|f| f.id.clone())
                    .collect(),
            })
            .collect(),
    }
}

/// The flows of a product at the given settings, one object per protocol
/// and port range.
pub fn catalog_flows(p: &Product, settings: &Settings) -> Vec<CatalogFlowOut> {
    let mut out = Vec::new();
    for f in &p.flows {
        let ports = eval_ports(&f.ports, settings).unwrap_or_default();
        let ranges: Vec<Option<(u16, u16)>> = if ports.is_empty() {
            vec![None]
        } else {
            ports
                .ranges()
                .iter()
                .map(|r| Some((r.from, r.to)))
                .collect()
        };
        for proto in f.protocol.list() {
            for r in &ranges {
                out.push(CatalogFlowOut {
                    id: f.id.clone(),
                    product: p.id.clone(),
                    from_component: format!("{}/{}", p.id, f.from),
                    to_component: format!("{}/{}", p.id, f.to),
                    protocol: proto.as_str().to_string(),
                    from_port: r.map(|r| r.0),
                    to_port: r.map(|r| r.1),
                    ports_expression: describe_ports(&f.ports),
                    app_protocol: f.app_protocol.clone(),
                    purpose: f.purpose.clone(),
                    condition: f.condition.as_ref().map(|c| c.to_string()),
                    firewall: f.firewall,
                    scope: match f.scope {
                        crate::catalog::Scope::Network => "network".into(),
                        crate::catalog::Scope::Host => "host".into(),
                    },
                    sensitive: f.sensitive.map(|s| s.as_str().to_string()),
                    cleartext: f.cleartext,
                    citation: p.citation_text(f),
                    note: f.note.clone(),
                });
            }
        }
    }
    out
}

/// Settings of a product with user overrides applied (invalid ones are
/// ignored: the caller validates them first).
pub fn settings_with(p: &Product, overrides: &BTreeMap<String, String>) -> Settings {
    let mut s = Settings::defaults(p);
    for (k, v) in overrides {
        if let Some(def) = p.setting(k)
            && let Ok(val) = crate::catalog::parse_setting(def, v)
        {
            s.set(k, val);
        }
    }
    s
}

/// The whole catalog (or the products named in `filter`) at default settings
/// plus per-product overrides.
pub fn catalog_output(
    c: &Catalog,
    filter: Option<&[String]>,
    overrides: &BTreeMap<String, BTreeMap<String, String>>,
) -> CatalogOutput {
    let mut products = Vec::new();
    let mut flows = Vec::new();
    for p in c.products() {
        if let Some(f) = filter
            && !f.iter().any(|id| id == &p.id)
        {
            continue;
        }
        products.push(product_out(p));
        let empty = BTreeMap::new();
        let settings = settings_with(p, overrides.get(&p.id).unwrap_or(&empty));
        flows.extend(catalog_flows(p, &settings));
    }
    CatalogOutput { products, flows }
}

/// Whether a port expression list refers to settings only through fixed
/// values (used by docs).
pub fn is_fixed(exprs: &[PortExpr]) -> bool {
    exprs.iter().all(|e| {
        matches!(
            e,
            PortExpr::Base(crate::catalog::PortBase::Fixed(_))
                | PortExpr::Range { .. }
                | PortExpr::AndAbove { .. }
        )
    })
}

/// The value of a setting as text.
pub fn setting_text(v: &SettingValue) -> String {
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::testkit::{compute, n};

    /// The streamed view prints what the owned output prints, byte for
    /// byte, with flows, several rules and an unresolved flow (a Spotfire
    /// server without its database).
    #[test]
    fn the_view_serializes_like_the_owned_output() {
        let c = compute(
            vec![
                ("sf", n("spotfire/server | 10.0.0.1/32")),
                (
                    "nm",
                    n("spotfire/node-manager spotfire/web-player | 10.0.0.2/32"),
                ),
                ("users", n("spotfire/client | 10.8.0.0/16 | group")),
            ],
            &[("spotfire", &["database-postgresql"])],
        );
        assert!(c.flows.len() > 5 && c.rules.len() > 5 && !c.unresolved.is_empty());
        let owned = FlowsOutput::new(&c);
        assert_eq!(
            serde_json::to_string_pretty(&FlowsOutputView(&c)).unwrap(),
            serde_json::to_string_pretty(&owned).unwrap()
        );
        assert_eq!(
            serde_json::to_string_pretty(&RulesView(&c.rules)).unwrap(),
            serde_json::to_string_pretty(&owned.rules).unwrap()
        );
    }
}
