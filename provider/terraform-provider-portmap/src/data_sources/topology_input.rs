//! The `nodes`, `products` and `installations` arguments shared by `portmap_flows` and the
//! cloud-shape data sources: their schema and their decoding.

use std::collections::{BTreeMap, BTreeSet};

use portmap_core::Computation;
use portmap_core::issue::{Issue, Path, has_errors};
use portmap_core::topology::{
    CheckOptions, Exposure, Front, Installation, Node, NodeKind, ProductConfig, SettingInput,
    Topology, Unknowns, Zone, check, check_node_selection,
};
use tfplugin::diag::Diagnostics;
use tfplugin::schema::{Attribute, ObjectNesting};
use tfplugin::value::{Type, Value};

use crate::convert::{diagnostics, strings};
use crate::provider::Context;

/// The input attributes: `nodes` (required), `products` and `installations`
/// (optional).
pub fn attributes() -> Vec<Attribute> {
    vec![
        Attribute::nested(
            "nodes",
            ObjectNesting::Map,
            vec![
                Attribute::required(
                    "components",
                    Type::set(Type::String),
                    "The product components that run on this node, written `product/component` (for example `tachyon-5/master-stack`). `data.portmap_catalog` lists every component; a bundle such as `tachyon-5/server` places all the components it includes.",
                ),
                Attribute::optional(
                    "cidrs",
                    Type::list(Type::String),
                    "The node's addresses: IPv4 and IPv6 CIDR blocks (`10.0.1.0/24`, `2001:db8::/64`) or single addresses (`10.0.1.10`, taken as `/32`). Rules whose peer is this node allow exactly these. CIDRs with host bits set are refused. Give values known at plan (variables, locals, `cidrsubnet()` of a known range): while any address is unknown, Terraform reads the data source only during apply, so its results are unknown at plan and cannot drive `for_each` (the cloud-shape data sources warn about it).",
                ),
                Attribute::optional(
                    "ref",
                    Type::String,
                    "How the platform names the node, used by the cloud-shape data sources instead of the CIDRs where the platform allows: on AWS its security group id (`referenced_node`) or a managed prefix list id (`pl-…`, `prefix_list_id`); on Azure its application security group's resource id or a service tag (`Internet`, `AzureLoadBalancer`, `VirtualNetwork`, ...); on GCP its network tag (`target_tags`, `source_tags`) or its service account's email (`target_service_accounts`, `source_service_accounts`).",
                ),
                Attribute::optional(
                    "kind",
                    Type::String,
                    "`host` (the default) for one server: flows between its own components stay inside it and need no rule. `group` for several servers alike (a subnet, a scale set, a client population): flows between components inside it cross the network and get rules whose peer is the node itself.",
                ),
                Attribute::optional(
                    "exposure",
                    Type::String,
                    "How far the node is trusted: `internal` (the default), `internet-facing` (a DMZ) or `untrusted` (the internet, partners). The risk checks warn about cleartext protocols into internet-facing or untrusted nodes.",
                ),
                Attribute::optional("description", Type::String, "Free text about the node. It is not used in the computation."),
                Attribute::optional(
                    "zone",
                    Type::String,
                    "The network zone the node is in: a spoke, `dmz`, `on-prem`, `internet`, ... (the rules of node names); `default` when not given. A flow between nodes of two zones crosses the perimeter: the perimeter data sources (`portmap_perimeter_rules`, `portmap_azure_firewall_rules`, `portmap_aws_network_firewall_rules`) carry exactly those flows. With a zone policy (`zones`), the zone must be declared there.",
                ),
                Attribute::nested(
                    "fronts",
                    ObjectNesting::List,
                    vec![
                        Attribute::required(
                            "component",
                            Type::String,
                            "The fronted component, `product/component` (`spotfire/server`), running on other nodes.",
                        ),
                        Attribute::optional(
                            "listen_ports",
                            Type::String,
                            "The ports this node listens on for the component's clients, such as `\"443\"` or `\"80, 443\"`; the component's own ports when null.",
                        ),
                    ],
                    "Components this node stands in front of, as a reverse proxy, load balancer, WAF or DMZ relay does. A client's flow to a fronted component goes to this node instead when the client is in another zone than the server, or is untrusted while the server is not: from the client to this node on `listen_ports` (or the same ports), and on from this node to the server through this node's own catalog flows to it (a `spotfire/load-balancer`'s), or, when it has none, on the original ports. Such flows say so in `relay`. Clients in the server's own zone still connect directly.",
                ),
            ],
            "Where components run, keyed by node name. A node is one server (`kind = \"host\"`) or a group of alike servers (`kind = \"group\"`). Node names use letters, digits, `_`, `-` and `.`; they become parts of rule keys.",
        )
        .make_required(),
        Attribute::nested(
            "products",
            ObjectNesting::Map,
            installation_config_attributes(),
            "Settings and features per product id. A product is in play when any of its components is placed; products not listed use the catalog defaults. With `installations`, this configures each product's implicit installation: its components on nodes that no installation of the product lists.",
        ),
        Attribute::nested(
            "installations",
            ObjectNesting::Map,
            installation_attributes(),
            "Deployments of one product each (production and test, regions, tenants), keyed by installation name. The flows of an installation connect only the components that its own `nodes` run; a node listed by several installations (a shared SQL Server, a shared client subnet) takes part in each. Flow keys of an installation read `product@installation:flow:from>to:protocol:ports`; rule keys do not change, and identical rules of several installations merge. Installation names follow the rules of node names. Without `installations`, the output is exactly as before.",
        ),
        Attribute::nested(
            "zones",
            ObjectNesting::Map,
            vec![
                Attribute::optional(
                    "accepts_from",
                    Type::list(Type::String),
                    "The zones whose nodes may open connections into this zone, such as `[\"dmz\"]` for an internal zone behind a DMZ. Connections inside the zone are always allowed; from any zone not listed they are refused.",
                ),
                Attribute::optional(
                    "exposure",
                    Type::String,
                    "How far the zone is trusted: `internal` (the default), `internet-facing` (a DMZ) or `untrusted` (the internet, partners). Each node in the zone counts as at least this exposed for the risk checks.",
                ),
                Attribute::optional("description", Type::String, "Free text about the zone."),
            ],
            "The zone policy, keyed by zone name: which zones may open connections into each zone, and how far each is trusted. Without it, zones only mark where the perimeter is and every crossing is allowed. With it, every node's zone must be declared, and a flow crossing into a zone from a zone its `accepts_from` does not list is an error that names the flows and the ways out: a node that `fronts` the component, or the zone pair allowed.",
        ),
    ]
}

/// The `accepted_risks` argument (`portmap_flows` and the cloud shapes).
pub fn accepted_risks() -> Attribute {
    Attribute::optional(
        "accepted_risks",
        Type::map(Type::String),
        "Risk findings accepted on purpose, each with the reason (required, not empty), such as `{ \"cleartext:dmz>master\" = \"The vendor requires unencrypted WebSocket on 3901 (1E DMZ server, ticket CHG-1234)\" }`. A key is a finding key (`open-to-internet:FROM>TO`, `cleartext:FROM>TO`, `wide-range:FROM>TO:PROTOCOL:PORTS` or `untrusted-peer:FROM>TO`, as the risk warnings and the Risks section of `portmap flows --format markdown` name them) or a flow key (a finding is accepted when every flow it concerns is). Accepted findings are no longer warnings, nor errors with `fail_on_risk`; the change request lists them with their reason. A key that names no finding and no flow is a warning.",
    )
}

/// `settings`, `features` and `disabled_features`: the configuration of a
/// product's implicit installation, of an installation, of a node in one.
fn config_attributes() -> Vec<Attribute> {
    vec![
        Attribute::optional(
            "settings",
            Type::map(Type::String),
            "Setting overrides by setting id, such as `{ switch_port = 4100 }`. Numbers may be written as numbers or strings; port-list settings take strings such as `\"1521, 5000-5010\"`. The catalog lists each product's settings and defaults.",
        ),
        Attribute::optional(
            "features",
            Type::set(Type::String),
            "Features (catalog conditions) to enable, such as `named-sql-instance`. Enabling a feature of an exclusive group turns the group's other features off unless they are enabled too.",
        ),
        Attribute::optional(
            "disabled_features",
            Type::set(Type::String),
            "Features to turn off, including ones that are on by default or switch on automatically from the placement.",
        ),
    ]
}

fn installation_attributes() -> Vec<Attribute> {
    let mut attributes = vec![
        Attribute::required(
            "product",
            Type::String,
            "The product id, such as `tachyon-5` (see `data.portmap_catalog`).",
        ),
        Attribute::required(
            "nodes",
            Type::list(Type::String),
            "The nodes of the installation, keys of `nodes`, each listed once. The installation's components are its product's components on these nodes.",
        ),
    ];
    attributes.extend(installation_config_attributes());
    attributes.push(Attribute::nested(
        "node_overrides",
        ObjectNesting::Map,
        config_attributes(),
        "Configuration of single nodes of the installation, keyed by node name. A flow is computed with the installation's settings and features overlaid by the overrides of both of its ends: a feature either end disables is off, even if the other enables it (least privilege); a setting both ends override takes the listening end's value.",
    ));
    attributes
}

fn known_str(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
}

/// Decodes `nodes` and `products` from a configuration object. Values not
/// known yet are recorded in the returned [`Unknowns`] (with placeholders in
/// the topology); values of the wrong shape become issues.
pub fn decode(config: &Value) -> (Topology, Unknowns, Vec<Issue>) {
    let mut t = Topology::default();
    let mut unknowns = Unknowns::none();
    let mut issues = Vec::new();
    let root = Path::root();

    match config.get("nodes") {
        Some(v) if v.is_unknown() => unknowns.add(root.attr("nodes")),
        Some(v) => {
            if let Some(nodes) = v.as_map() {
                for (name, nv) in nodes {
                    let node_path = root.attr("nodes").key(name);
                    if nv.is_unknown() {
                        unknowns.add(node_path.clone());
                        t.nodes.insert(name.clone(), Node::default());
                        continue;
                    }
                    t.nodes.insert(
                        name.clone(),
                        decode_node(nv, &node_path, &mut unknowns, &mut issues),
                    );
                }
            }
        }
        None => {}
    }

    match config.get("products") {
        Some(v) if v.is_unknown() => unknowns.add(root.attr("products")),
        Some(v) => {
            if let Some(products) = v.as_map() {
                for (id, pv) in products {
                    let product_path = root.attr("products").key(id);
                    if pv.is_unknown() {
                        unknowns.add(product_path);
                        continue;
                    }
                    let mut product = decode_product(pv, &product_path, &mut unknowns);
                    product.absent_components =
                        decode_absent_components(pv, &product_path, &mut unknowns);
                    t.products.insert(id.clone(), product);
                }
            }
        }
        None => {}
    }
    match config.get("installations") {
        Some(v) if v.is_unknown() => unknowns.add(root.attr("installations")),
        Some(v) => {
            if let Some(installations) = v.as_map() {
                for (name, iv) in installations {
                    let installation_path = root.attr("installations").key(name);
                    if iv.is_unknown() {
                        unknowns.add(installation_path);
                        t.installations
                            .insert(name.clone(), Installation::default());
                        continue;
                    }
                    t.installations.insert(
                        name.clone(),
                        decode_installation(iv, &installation_path, &mut unknowns),
                    );
                }
            }
        }
        None => {}
    }
    match config.get("accepted_risks") {
        Some(v) if v.is_unknown() => unknowns.add(root.attr("accepted_risks")),
        Some(v) => {
            for (key, x) in v.as_map().into_iter().flatten() {
                if x.is_unknown() {
                    unknowns.add(root.attr("accepted_risks").key(key));
                }
                // A null reason is refused as an empty one.
                let reason = x.as_str().unwrap_or_default().to_string();
                t.accepted_risks.insert(key.clone(), reason);
            }
        }
        None => {}
    }
    match config.get("zones") {
        Some(v) if v.is_unknown() => unknowns.add(root.attr("zones")),
        Some(v) => {
            for (name, zv) in v.as_map().into_iter().flatten() {
                let zone_path = root.attr("zones").key(name);
                if zv.is_unknown() {
                    unknowns.add(zone_path.clone());
                    t.zones.insert(name.clone(), Zone::default());
                    continue;
                }
                t.zones.insert(
                    name.clone(),
                    decode_zone(zv, &zone_path, &mut unknowns, &mut issues),
                );
            }
        }
        None => {}
    }
    (t, unknowns, issues)
}

/// The configuration Terraform sends for `t`: [`decode`]'s inverse, with
/// unset attributes null. For tests, the fuzz seeds and the docs'
/// examples.
pub fn encode(t: &Topology) -> Value {
    fn strings(v: &[String]) -> Value {
        Value::list(v.iter().map(String::as_str))
    }
    fn string_set(v: &[String]) -> Value {
        Value::Set(v.iter().map(|s| Value::from(s.as_str())).collect())
    }
    fn null_if_empty(v: &[String]) -> Value {
        if v.is_empty() {
            Value::Null
        } else {
            string_set(v)
        }
    }
    fn product_config(p: &ProductConfig) -> Vec<(&'static str, Value)> {
        vec![
            (
                "settings",
                Value::map(p.settings.iter().map(|(k, v)| (k.clone(), v.text()))),
            ),
            ("features", string_set(&p.features)),
            ("disabled_features", string_set(&p.disabled_features)),
        ]
    }
    fn map_or_null(entries: BTreeMap<String, Value>) -> Value {
        if entries.is_empty() {
            Value::Null
        } else {
            Value::Map(entries)
        }
    }
    let nodes = t.nodes.iter().map(|(name, n)| {
        let fronts = if n.fronts.is_empty() {
            Value::Null
        } else {
            Value::List(
                n.fronts
                    .iter()
                    .map(|f| {
                        Value::object([
                            ("component", Value::from(f.component.as_str())),
                            ("listen_ports", Value::from(f.listen_ports.clone())),
                        ])
                    })
                    .collect(),
            )
        };
        let node = Value::object([
            ("components", string_set(&n.components)),
            ("cidrs", strings(&n.cidrs)),
            ("ref", Value::from(n.reference.clone())),
            ("kind", Value::from(n.kind.as_str())),
            ("exposure", Value::from(n.exposure.as_str())),
            ("description", Value::from(n.description.clone())),
            ("zone", Value::from(n.zone.clone())),
            ("fronts", fronts),
        ]);
        (name.clone(), node)
    });
    let products = t.products.iter().map(|(id, p)| {
        let mut attributes = product_config(p);
        attributes.push(("absent_components", null_if_empty(&p.absent_components)));
        (id.clone(), Value::object(attributes))
    });
    let installations = t.installations.iter().map(|(name, i)| {
        let mut attributes = product_config(&i.config());
        attributes.push(("product", Value::from(i.product.as_str())));
        attributes.push(("nodes", strings(&i.nodes)));
        attributes.push((
            "node_overrides",
            map_or_null(
                i.node_overrides
                    .iter()
                    .map(|(node, o)| (node.clone(), Value::object(product_config(o))))
                    .collect(),
            ),
        ));
        attributes.push(("absent_components", null_if_empty(&i.absent_components)));
        (name.clone(), Value::object(attributes))
    });
    let zones = t.zones.iter().map(|(name, z)| {
        let zone = Value::object([
            ("accepts_from", strings(&z.accepts_from)),
            ("exposure", Value::from(z.exposure.as_str())),
            ("description", Value::from(z.description.clone())),
        ]);
        (name.clone(), zone)
    });
    Value::object([
        ("nodes", Value::Map(nodes.collect())),
        ("products", Value::Map(products.collect())),
        ("installations", map_or_null(installations.collect())),
        (
            "accepted_risks",
            map_or_null(
                t.accepted_risks
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                    .collect(),
            ),
        ),
        ("zones", map_or_null(zones.collect())),
    ])
}

fn decode_installation(
    v: &Value,
    installation_path: &Path,
    unknowns: &mut Unknowns,
) -> Installation {
    let product = match v.get("product") {
        Some(p) if p.is_unknown() => {
            unknowns.add(installation_path.attr("product"));
            String::new()
        }
        p => known_str(p).unwrap_or_default().to_string(),
    };
    let config = decode_product(v, installation_path, unknowns);
    let absent_components = decode_absent_components(v, installation_path, unknowns);
    let mut node_overrides = BTreeMap::new();
    match v.get("node_overrides") {
        Some(o) if o.is_unknown() => unknowns.add(installation_path.attr("node_overrides")),
        Some(o) => {
            for (node, ov) in o.as_map().into_iter().flatten() {
                let op = installation_path.attr("node_overrides").key(node);
                if ov.is_unknown() {
                    unknowns.add(op.clone());
                }
                node_overrides.insert(node.clone(), decode_product(ov, &op, unknowns));
            }
        }
        None => {}
    }
    Installation {
        product,
        nodes: string_list(
            v.get("nodes"),
            &installation_path.attr("nodes"),
            unknowns,
            true,
        ),
        settings: config.settings,
        features: config.features,
        disabled_features: config.disabled_features,
        node_overrides,
        absent_components,
    }
}

fn string_list(
    v: Option<&Value>,
    path: &Path,
    unknowns: &mut Unknowns,
    indexed: bool,
) -> Vec<String> {
    match v {
        None => Vec::new(),
        Some(v) if v.is_null() => Vec::new(),
        Some(v) if v.is_unknown() => {
            unknowns.add(path.clone());
            Vec::new()
        }
        Some(v) => v
            .as_list()
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .map(|(i, x)| match x.as_str() {
                Some(s) => s.to_string(),
                None => {
                    // An unknown element: in a list it has an index, in a set
                    // the whole set is uncertain.
                    unknowns.add(if indexed { path.index(i) } else { path.clone() });
                    String::new()
                }
            })
            .collect(),
    }
}

fn decode_node(
    v: &Value,
    node_path: &Path,
    unknowns: &mut Unknowns,
    issues: &mut Vec<Issue>,
) -> Node {
    let mut node = Node {
        components: string_list(
            v.get("components"),
            &node_path.attr("components"),
            unknowns,
            false,
        ),
        cidrs: string_list(v.get("cidrs"), &node_path.attr("cidrs"), unknowns, true),
        ..Node::default()
    };
    match v.get("ref") {
        Some(r) if r.is_unknown() => {
            unknowns.add(node_path.attr("ref"));
            node.reference = Some("(known after apply)".into());
        }
        r => node.reference = known_str(r).map(str::to_string),
    }
    match v.get("kind") {
        Some(k) if k.is_unknown() => unknowns.add(node_path.attr("kind")),
        k => {
            if let Some(s) = known_str(k) {
                match NodeKind::parse(s) {
                    Some(kind) => node.kind = kind,
                    None => issues.push(Issue::error(
                        node_path.attr("kind"),
                        format!("Invalid node kind \"{s}\""),
                        "kind is \"host\" (one server; the default) or \"group\" (several servers alike).",
                    )),
                }
            }
        }
    }
    match v.get("exposure") {
        Some(k) if k.is_unknown() => unknowns.add(node_path.attr("exposure")),
        k => {
            if let Some(s) = known_str(k) {
                match Exposure::parse(s) {
                    Some(e) => node.exposure = e,
                    None => issues.push(Issue::error(
                        node_path.attr("exposure"),
                        format!("Invalid exposure \"{s}\""),
                        "exposure is \"internal\" (the default), \"internet-facing\" or \"untrusted\".",
                    )),
                }
            }
        }
    }
    node.description = known_str(v.get("description")).map(str::to_string);
    match v.get("zone") {
        Some(z) if z.is_unknown() => unknowns.add(node_path.attr("zone")),
        z => node.zone = known_str(z).map(str::to_string),
    }
    match v.get("fronts") {
        Some(f) if f.is_unknown() => unknowns.add(node_path.attr("fronts")),
        Some(f) => {
            for (i, fv) in f.as_list().unwrap_or(&[]).iter().enumerate() {
                let fp = node_path.attr("fronts").index(i);
                if fv.is_unknown() {
                    unknowns.add(fp);
                    node.fronts.push(Front::default());
                    continue;
                }
                let mut front = Front::default();
                match fv.get("component") {
                    Some(c) if c.is_unknown() => unknowns.add(fp.attr("component")),
                    c => front.component = known_str(c).unwrap_or_default().to_string(),
                }
                match fv.get("listen_ports") {
                    Some(p) if p.is_unknown() => unknowns.add(fp.attr("listen_ports")),
                    p => front.listen_ports = known_str(p).map(str::to_string),
                }
                node.fronts.push(front);
            }
        }
        None => {}
    }
    node
}

fn decode_zone(
    v: &Value,
    zone_path: &Path,
    unknowns: &mut Unknowns,
    issues: &mut Vec<Issue>,
) -> Zone {
    let mut zone = Zone {
        accepts_from: string_list(
            v.get("accepts_from"),
            &zone_path.attr("accepts_from"),
            unknowns,
            true,
        ),
        ..Zone::default()
    };
    match v.get("exposure") {
        Some(k) if k.is_unknown() => unknowns.add(zone_path.attr("exposure")),
        k => {
            if let Some(s) = known_str(k) {
                match Exposure::parse(s) {
                    Some(e) => zone.exposure = e,
                    None => issues.push(Issue::error(
                        zone_path.attr("exposure"),
                        format!("Invalid exposure \"{s}\""),
                        "exposure is \"internal\" (the default), \"internet-facing\" or \"untrusted\".",
                    )),
                }
            }
        }
    }
    zone.description = known_str(v.get("description")).map(str::to_string);
    zone
}

fn decode_product(v: &Value, product_path: &Path, unknowns: &mut Unknowns) -> ProductConfig {
    let mut cfg = ProductConfig::default();
    match v.get("settings") {
        Some(s) if s.is_unknown() => unknowns.add(product_path.attr("settings")),
        Some(s) => {
            if let Some(m) = s.as_map() {
                let mut out = BTreeMap::new();
                for (k, x) in m {
                    match x.as_str() {
                        Some(text) => {
                            out.insert(k.clone(), SettingInput::Text(text.to_string()));
                        }
                        None if x.is_unknown() => {
                            unknowns.add(product_path.attr("settings").key(k))
                        }
                        None => {}
                    }
                }
                cfg.settings = out;
            }
        }
        None => {}
    }
    cfg.features = string_list(
        v.get("features"),
        &product_path.attr("features"),
        unknowns,
        false,
    );
    cfg.disabled_features = string_list(
        v.get("disabled_features"),
        &product_path.attr("disabled_features"),
        unknowns,
        false,
    );
    cfg
}

/// The errors of `nodes` and `products` in a configuration that may hold
/// unknown values (ValidateDataResourceConfig of every data source taking
/// them). Product ids are only checked once the provider is configured, when
/// user catalogs are known.
pub fn validate(ctx: &Context, config: &Value) -> Vec<Issue> {
    let (topology, unknowns, mut issues) = decode(config);
    let opts = CheckOptions {
        unknowns,
        strict_products: ctx.configured,
    };
    issues.extend(
        check(&topology, &ctx.catalog, &opts)
            .into_iter()
            .filter(Issue::is_error),
    );
    issues
}

/// Decodes a wholly known configuration and computes its flows and rules.
/// `Err` holds the issues (errors and warnings) when anything is wrong.
pub fn compute<'c>(ctx: &'c Context, config: &Value) -> Result<Computation<'c>, Vec<Issue>> {
    let (topology, _, issues) = decode(config);
    if has_errors(&issues) {
        return Err(issues);
    }
    portmap_core::compute(&topology, &ctx.catalog)
}

/// The known names of `for_nodes` (`portmap_flows`,
/// The computation of a read whose own arguments gave `issues`: none when
/// those hold an error, or when the topology does not compute (then the
/// diagnostics are the topology's). Otherwise the topology's warnings are
/// added to `issues`.
pub fn compute_after<'c>(
    ctx: &'c Context,
    config: &Value,
    issues: &mut Vec<Issue>,
) -> Result<Computation<'c>, Diagnostics> {
    if has_errors(issues) {
        return Err(diagnostics(issues));
    }
    let comp = compute(ctx, config).map_err(|found| diagnostics(&found))?;
    issues.extend(comp.issues.iter().cloned());
    Ok(comp)
}

/// `portmap_nftables_rulesets`); `None` when it is null (all nodes).
pub fn selection(config: &Value) -> Option<BTreeSet<String>> {
    strings(config.get("for_nodes")).map(|names| names.into_iter().flatten().collect())
}

/// The errors of `for_nodes`: names that are not keys of `nodes` (once
/// `nodes` is known; its keys are the node names, no decoding needed).
pub fn check_selection(config: &Value, selected: Option<&BTreeSet<String>>) -> Vec<Issue> {
    let Some(names) = selected else {
        return Vec::new();
    };
    check_node_selection(
        config.get("nodes").and_then(Value::as_map),
        names.iter().map(String::as_str),
        &Path::root().attr("for_nodes"),
    )
}

/// The configuration of a whole installation (`products[id]`, an entry of
/// `installations`): [`config_attributes`] and `absent_components`, which
/// node overrides do not take (a component is absent from an installation,
/// not from one of its nodes).
fn installation_config_attributes() -> Vec<Attribute> {
    let mut attributes = config_attributes();
    attributes.push(Attribute::optional(
        "absent_components",
        Type::set(Type::String),
        "Components of the product, written `product/component`, that this installation deliberately does without, such as `[\"1e-platform/cloud-services\"]` for an air-gapped 1E platform. Flows to or from them are left out without the warning that the component is not placed, and the change request (`portmap flows --format markdown`) lists them. An id that is not a component of the product is an error; a component declared absent that a node of the installation runs is a warning.",
    ));
    attributes
}

/// `absent_components` of `products[id]` or an installation at `path`.
fn decode_absent_components(v: &Value, path: &Path, unknowns: &mut Unknowns) -> Vec<String> {
    string_list(
        v.get("absent_components"),
        &path.attr("absent_components"),
        unknowns,
        false,
    )
}
