//! Tables built from computations and catalogs: the change-board export,
//! the rule list and the catalog listing.

use std::collections::BTreeMap;

use crate::catalog::{Condition, Product};
use crate::cloud::risk;
use crate::flows::FlowRecord;
use crate::output::CatalogOutput;
use crate::render::{Table, TableFormat};
use crate::rules::Computation;

fn node_addresses(c: &Computation<'_>, name: &str) -> String {
    match c.node(name) {
        Some(n) if !n.cidrs.is_empty() => n
            .cidrs
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        Some(n) => n
            .reference
            .clone()
            .map(|r| format!("ref {r}"))
            .unwrap_or_else(|| "(no address)".into()),
        None => String::new(),
    }
}

/// What the change request's header says beyond the computation.
#[derive(Debug, Clone, Default)]
pub struct RequestInfo<'a> {
    /// The topology, as the user named it (a file, a Terraform address).
    pub topology: &'a str,
    /// The version of portmap that computed it.
    pub version: &'a str,
    /// When it was generated, if given (reproducible builds leave it out).
    pub generated_at: Option<&'a str>,
}

/// One row of the change request: every flow between the same source,
/// destination, protocol and ports.
struct RequestRow<'a, 'c> {
    from: &'a str,
    to: &'a str,
    flows: Vec<&'a FlowRecord<'c>>,
}

/// The network zone of a node, for the sort order and the zone columns:
/// `None` when the topology has no zones (`zoned`, computed once per
/// request: then the change request is as it was before zones), the
/// node's zone (`default` when it names none) otherwise.
fn zone<'a>(c: &'a Computation<'_>, zoned: bool, node: &str) -> Option<&'a str> {
    if !zoned {
        return None;
    }
    c.node(node).map(|n| n.zone.as_str())
}

/// The rows: flows that need a rule merged by (source, destination,
/// protocol, ports), sorted by zone pair, source, destination, protocol and
/// port numerically.
fn request_rows<'a, 'c>(c: &'a Computation<'c>) -> Vec<RequestRow<'a, 'c>> {
    type Key<'a> = (
        (Option<&'a str>, Option<&'a str>),
        &'a str,
        &'a str,
        &'static str,
        u16,
        u16,
    );
    let mut rows: BTreeMap<Key<'a>, Vec<&'a FlowRecord<'c>>> = BTreeMap::new();
    let zoned = crate::zones::has_zones(&c.resolved);
    for f in c.flows.iter().filter(|f| f.needs_rule()) {
        let key = (
            (zone(c, zoned, &f.from_node), zone(c, zoned, &f.to_node)),
            &*f.from_node,
            &*f.to_node,
            f.protocol.as_str(),
            f.ports.from,
            f.ports.to,
        );
        rows.entry(key).or_default().push(f);
    }
    rows.into_iter()
        .map(|((_, from, to, _, _, _), flows)| RequestRow { from, to, flows })
        .collect()
}

/// The catalog product of a flow.
fn product_of<'c>(c: &Computation<'c>, f: &FlowRecord<'_>) -> Option<&'c Product> {
    c.resolved
        .products
        .iter()
        .find(|p| p.product.id == f.product)
        .map(|p| p.product)
}

fn feature_name(p: &Product, id: &str) -> String {
    p.features
        .iter()
        .find(|x| x.id == id)
        .map(|x| x.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// A catalog condition in feature names: `DMZ server`, `Global catalog and
/// LDAPS`, `not (Cluster)`.
fn condition_text(p: &Product, cond: &Condition) -> String {
    let part = |c: &Condition| match c {
        Condition::Feature(_) => condition_text(p, c),
        _ => format!("({})", condition_text(p, c)),
    };
    match cond {
        Condition::Feature(id) => feature_name(p, id),
        Condition::All { all } => all.iter().map(part).collect::<Vec<_>>().join(" and "),
        Condition::Any { any } => any.iter().map(part).collect::<Vec<_>>().join(" or "),
        Condition::Not { not } => format!("not {}", part(not)),
    }
}

/// When a flow is needed: "always", or its condition in feature names.
fn flow_condition(c: &Computation<'_>, f: &FlowRecord<'_>) -> String {
    if f.condition.is_none() {
        return "always".to_string();
    }
    let catalog_condition = product_of(c, f).and_then(|p| {
        let flow = p.flows.iter().find(|x| x.id == f.flow)?;
        Some(condition_text(p, flow.condition.as_ref()?))
    });
    catalog_condition
        .or_else(|| f.condition.as_deref().map(str::to_string))
        .unwrap_or_default()
}

/// A node's exposure, and whether it stands for the whole internet.
fn exposure(c: &Computation<'_>, name: &str) -> String {
    match c.node(name) {
        Some(n) => {
            let all = crate::cloud::risk::every_address(n);
            if all.is_empty() {
                n.exposure.as_str().to_string()
            } else {
                format!(
                    "{}, whole internet ({})",
                    n.exposure.as_str(),
                    all.join(" ")
                )
            }
        }
        None => String::new(),
    }
}

/// Adds a citation (`doc.txt, "Table" row 2; "Other" row 5`) to a list
/// grouped by document, each row once.
pub(crate) fn add_citation(list: &mut Vec<(String, Vec<String>)>, citation: &str) {
    let (doc, rows) = citation.split_once(", ").unwrap_or((citation, ""));
    let i = match list.iter().position(|(d, _)| d == doc) {
        Some(i) => i,
        None => {
            list.push((doc.to_string(), Vec::new()));
            list.len() - 1
        }
    };
    for row in rows.split("; ").filter(|r| !r.is_empty()) {
        push_unique(&mut list[i].1, row.to_string());
    }
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The risk findings of the flows (peers named by their CIDRs) with the
/// reason each is accepted, if it is.
fn request_findings(c: &Computation<'_>) -> Vec<(risk::Finding, Option<String>)> {
    risk::findings(c, &risk::whole_internet_cidrs)
        .into_iter()
        .map(|f| {
            let accepted = f.accepted(&c.resolved.accepted_risks);
            (f, accepted)
        })
        .collect()
}

fn request_table(
    c: &Computation<'_>,
    rows: &[RequestRow<'_, '_>],
    findings: &[(risk::Finding, Option<String>)],
) -> Table {
    let zoned = crate::zones::has_zones(&c.resolved);
    let mut headers = vec![
        "Source",
        "Source CIDRs",
        "Source exposure",
        "Destination",
        "Destination CIDRs",
        "Destination exposure",
        "Protocol",
        "Ports",
        "Application protocol",
        "Purpose",
        "Condition",
        "Vendor reference",
        "Risks",
    ];
    if zoned {
        headers.splice(0..0, ["Source zone", "Destination zone"]);
    }
    let mut t = Table::new(&headers);
    for row in rows {
        let Some(first) = row.flows.first() else {
            continue;
        };
        let mut apps = Vec::new();
        let mut conditions = Vec::new();
        let mut citations: Vec<(String, Vec<String>)> = Vec::new();
        // Purposes grouped by installation: "owner: a; b".
        let mut purposes: Vec<(String, Vec<String>)> = Vec::new();
        for f in &row.flows {
            push_unique(&mut apps, f.app_protocol.to_string());
            push_unique(&mut conditions, flow_condition(c, f));
            add_citation(&mut citations, &f.citation);
            let owner = f.owner().to_string();
            let purpose = match &f.relay {
                None => f.purpose.to_string(),
                Some(relay) => format!("{} ({relay})", f.purpose),
            };
            match purposes.iter_mut().find(|(o, _)| *o == owner) {
                Some((_, list)) => push_unique(list, purpose),
                None => purposes.push((owner, vec![purpose])),
            }
        }
        let mut risks = Vec::new();
        for (finding, accepted) in findings {
            if row
                .flows
                .iter()
                .any(|f| finding.flows.iter().any(|k| **k == *f.key))
            {
                push_unique(
                    &mut risks,
                    match accepted {
                        Some(_) => format!("{} (accepted)", finding.key),
                        None => finding.key.clone(),
                    },
                );
            }
        }
        let mut cells = Vec::with_capacity(headers.len());
        if zoned {
            cells.push(zone(c, zoned, row.from).unwrap_or_default().to_string());
            cells.push(zone(c, zoned, row.to).unwrap_or_default().to_string());
        }
        cells.extend([
            row.from.to_string(),
            node_addresses(c, row.from),
            exposure(c, row.from),
            row.to.to_string(),
            node_addresses(c, row.to),
            exposure(c, row.to),
            first.protocol.as_str().to_uppercase(),
            first.ports.to_string(),
            apps.join(", "),
            purposes
                .into_iter()
                .map(|(o, p)| format!("{o}: {}", p.join("; ")))
                .collect::<Vec<_>>()
                .join("; "),
            conditions.join("; "),
            citations
                .into_iter()
                .map(|(doc, rows)| format!("{doc}, {}", rows.join("; ")))
                .collect::<Vec<_>>()
                .join("; "),
            risks.join(" "),
        ]);
        t.push(cells);
    }
    t
}

/// The firewall request a change board expects: one row per source,
/// destination, protocol and ports that needs a rule, with every purpose,
/// condition (in feature names) and vendor row of the flows it serves, the
/// exposure of both ends and the keys of the risk findings that concern it.
/// This is the CSV; [`change_request_markdown`] adds the header and the
/// Risks section.
pub fn change_request(c: &Computation<'_>) -> Table {
    let rows = request_rows(c);
    let findings = request_findings(c);
    request_table(c, &rows, &findings)
}

/// The change request as a Markdown document: what was computed from what
/// (topology, products with their enabled features, the settings set and
/// the components deliberately absent, version, time if given), the connections ([`change_request`]) and the
/// Risks section: every finding of the risk checks, open or accepted with
/// its reason, with the flows it concerns.
pub fn change_request_markdown(c: &Computation<'_>, info: &RequestInfo<'_>) -> String {
    let rows = request_rows(c);
    let findings = request_findings(c);
    let mut out = String::from("# Firewall change request\n\n");
    out.push_str(&format!("- Topology: `{}`\n", info.topology));
    out.push_str(&format!("- Generated by: portmap {}\n", info.version));
    if let Some(at) = info.generated_at {
        out.push_str(&format!("- Generated at: {at}\n"));
    }
    out.push_str("- Products:\n");
    for p in &c.resolved.products {
        let product = p.product;
        let name = match &p.installation {
            Some(i) => format!("{} (`{}`), installation `{i}`", product.name, product.id),
            None => format!("{} (`{}`)", product.name, product.id),
        };
        let features: Vec<String> = p
            .features
            .iter()
            .map(|id| format!("{} (`{id}`)", feature_name(product, id)))
            .collect();
        let settings: Vec<String> = product
            .settings
            .iter()
            .filter(|s| p.overridden.contains(&s.id))
            .filter_map(|s| {
                let v = p.settings.get(&s.id)?;
                Some(format!("{} (`{}`) = {v}", s.name, s.id))
            })
            .collect();
        // Only installations that declare absent components say so, so
        // that every other header stays as it was.
        let absent: Vec<String> = p
            .config
            .absent_components
            .iter()
            .map(|id| {
                let component_name = id
                    .split_once('/')
                    .and_then(|(_, component)| product.component(component))
                    .map(|component| component.name.as_str());
                match component_name {
                    Some(component_name) => format!("{component_name} (`{id}`)"),
                    None => format!("`{id}`"),
                }
            })
            .collect();
        let absent_text = if absent.is_empty() {
            String::new()
        } else {
            format!(" Deliberately absent: {}.", absent.join(", "))
        };
        out.push_str(&format!(
            "  - {name}. Features enabled: {}. Settings: {}.{absent_text}\n",
            if features.is_empty() {
                "none".to_string()
            } else {
                features.join(", ")
            },
            if settings.is_empty() {
                "the vendor's defaults".to_string()
            } else {
                format!(
                    "{}; the others at the vendor's defaults",
                    settings.join(", ")
                )
            }
        ));
    }
    if crate::zones::has_zones(&c.resolved) {
        out.push_str(&zones_line(c));
    }
    let open = findings.iter().filter(|(_, a)| a.is_none()).count();
    out.push_str(&format!(
        "- Connections: {} ({} flows). Risk findings: {} ({} accepted).\n",
        rows.len(),
        rows.iter().map(|r| r.flows.len()).sum::<usize>(),
        findings.len(),
        findings.len() - open,
    ));
    out.push_str("\n## Connections\n\n");
    out.push_str(&request_table(c, &rows, &findings).render(TableFormat::Markdown));
    out.push_str("\n## Risks\n\n");
    if findings.is_empty() {
        out.push_str("The risk checks found nothing.\n");
    }
    for (f, accepted) in &findings {
        let state = match accepted {
            Some(reason) => format!("accepted. Reason: {reason}"),
            None => "open (not accepted)".to_string(),
        };
        out.push_str(&format!(
            "- `{}`: {}\n  - Status: {state}\n  - Flows: {}\n",
            f.key,
            f.issue.summary.trim_start_matches("Risk: "),
            f.flows
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}

/// Every flow, internal ones included.
pub fn flow_list(c: &Computation<'_>) -> Table {
    let mut t = Table::new(&["Flow", "From", "To", "Protocol", "Ports", "Purpose", "Rule"]);
    for f in &c.flows {
        let rule = if f.needs_rule() {
            "yes"
        } else if !f.firewall {
            "no (vendor: no firewall rule)"
        } else {
            "no (internal)"
        };
        t.push(vec![
            format!("{}:{}", f.owner(), f.flow),
            format!("{} ({})", f.from_node, f.from_component),
            format!("{} ({})", f.to_node, f.to_component),
            f.protocol.as_str().to_string(),
            f.ports.to_string(),
            f.purpose.to_string(),
            rule.to_string(),
        ]);
    }
    t
}

/// The rules, by key.
pub fn rule_list(c: &Computation<'_>) -> Table {
    let mut t = Table::new(&[
        "Rule",
        "Node",
        "Direction",
        "Peer",
        "Peer addresses",
        "Protocol",
        "Ports",
        "Description",
    ]);
    for r in c.rules.values() {
        let addr = if !r.peer_cidrs.is_empty() {
            r.peer_cidrs.join(" ")
        } else {
            r.peer_ref
                .as_ref()
                .map(|x| format!("ref {x}"))
                .unwrap_or_else(|| "(no address)".into())
        };
        t.push(vec![
            r.key.to_string(),
            r.node.to_string(),
            r.direction.as_str().to_string(),
            r.peer.to_string(),
            addr,
            r.protocol.as_str().to_string(),
            r.ports.to_string(),
            r.description.to_string(),
        ]);
    }
    t
}

/// The catalog's flows.
pub fn catalog_list(o: &CatalogOutput) -> Table {
    let mut t = Table::new(&[
        "Product",
        "Flow",
        "From",
        "To",
        "Protocol",
        "Ports",
        "Application protocol",
        "Condition",
        "Rule",
        "Vendor reference",
    ]);
    for f in &o.flows {
        let ports = match (f.from_port, f.to_port) {
            (Some(a), Some(b)) if a == b => a.to_string(),
            (Some(a), Some(b)) => format!("{a}-{b}"),
            _ => format!("({})", f.ports_expression),
        };
        let rule = match (f.firewall, f.scope.as_str()) {
            (false, _) => "no (vendor: no firewall rule)",
            (true, "host") => "no (same machine)",
            _ => "yes",
        };
        t.push(vec![
            f.product.clone(),
            f.id.clone(),
            f.from_component.clone(),
            f.to_component.clone(),
            f.protocol.clone(),
            ports,
            f.app_protocol.clone(),
            f.condition.clone().unwrap_or_else(|| "always".into()),
            rule.to_string(),
            f.citation.clone(),
        ]);
    }
    t
}

/// The components, settings (with defaults), features (with defaults,
/// automatic switching and group) and feature groups (with exclusivity) of
/// one product, as tables with their titles.
fn catalog_product_tables(p: &crate::output::ProductOut) -> Vec<(&'static str, Table)> {
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
    let mut components = Table::new(&["Component", "Name", "Role", "Bundle of", "Optional"]);
    for c in &p.components {
        components.push(vec![
            c.id.clone(),
            c.name.clone(),
            c.role.clone(),
            c.includes.join(", "),
            yes_no(c.optional),
        ]);
    }
    let mut settings = Table::new(&["Setting", "Name", "Kind", "Default", "Vendor setting"]);
    for st in &p.settings {
        settings.push(vec![
            st.id.clone(),
            st.name.clone(),
            st.kind.clone(),
            if st.default.is_empty() {
                "(empty)".to_string()
            } else {
                st.default.clone()
            },
            st.vendor_setting.clone().unwrap_or_default(),
        ]);
    }
    let exclusive_groups: Vec<&str> = p
        .groups
        .iter()
        .filter(|g| g.exclusive)
        .map(|g| g.id.as_str())
        .collect();
    let mut features = Table::new(&[
        "Feature",
        "Name",
        "On by default",
        "Automatic",
        "Group",
        "Exclusive group",
    ]);
    for f in &p.features {
        features.push(vec![
            f.id.clone(),
            f.name.clone(),
            yes_no(f.default),
            f.auto.clone().unwrap_or_default(),
            f.group.clone().unwrap_or_default(),
            match &f.group {
                Some(g) => yes_no(exclusive_groups.contains(&g.as_str())),
                None => String::new(),
            },
        ]);
    }
    let mut groups = Table::new(&[
        "Group",
        "Name",
        "Exclusive",
        "Features",
        "Required with",
        "Description",
    ]);
    for g in &p.groups {
        groups.push(vec![
            g.id.clone(),
            g.name.clone(),
            yes_no(g.exclusive),
            g.features.join(", "),
            g.required_with.clone().unwrap_or_default(),
            g.description.clone(),
        ]);
    }
    vec![
        ("Components", components),
        ("Settings", settings),
        ("Features", features),
        ("Feature groups", groups),
    ]
}

/// What `portmap catalog` prints in a table format: for each product its
/// components, settings, features and feature groups, then the flows
/// ([`catalog_list`]). CSV holds one table, so it is the flows alone.
pub fn catalog_document(o: &CatalogOutput, format: TableFormat) -> String {
    let flows = catalog_list(o).render(format);
    let (product_heading, table_heading, flows_heading) = match format {
        TableFormat::Csv => return flows,
        TableFormat::Markdown => ("## ", "### ", "## "),
        TableFormat::Text => ("", "", ""),
    };
    let mut out = String::new();
    if format == TableFormat::Markdown {
        out.push_str("# Catalog\n\n");
    }
    for p in &o.products {
        let id = match format {
            TableFormat::Markdown => format!("`{}`", p.id),
            _ => p.id.clone(),
        };
        out.push_str(&format!(
            "{product_heading}{} ({id}): {}, {}\n\n",
            p.name, p.vendor, p.version
        ));
        for (title, table) in catalog_product_tables(p) {
            if table.rows.is_empty() {
                continue;
            }
            out.push_str(&format!("{table_heading}{title}\n\n"));
            if title == "Feature groups" {
                out.push_str("In an exclusive group the features are alternatives: enabling one turns the group's other features off (including one on by default) unless they are enabled too. In a group that is not exclusive each feature is on or off by itself: a feature on by default stays on until it is disabled.\n\n");
            }
            out.push_str(&table.render(format));
            out.push('\n');
        }
    }
    out.push_str(&format!("{flows_heading}Flows\n\n"));
    out.push_str(&flows);
    out
}

/// The audit as a clean-up request for a change board: one row per part
/// of an existing rule to remove (widest exposure first, as in
/// [`crate::audit::Audit::excess`]) and per required rule to add.
pub fn audit_request(a: &crate::audit::Audit) -> Table {
    use crate::audit::Opening;
    let ports = |o: &Opening| match (o.from_port, o.to_port) {
        (Some(f), Some(t)) if f == t => f.to_string(),
        (Some(f), Some(t)) => format!("{f}-{t}"),
        _ => "all".to_string(),
    };
    let addrs = |o: &Opening| {
        let mut v = o.cidrs.clone();
        v.extend(o.peers.iter().map(|p| format!("node {p} (ref)")));
        v.join(" ")
    };
    let mut t = Table::new(&[
        "#",
        "Action",
        "Rule",
        "Node",
        "Direction",
        "Protocol",
        "Ports",
        "Addresses",
        "Reason",
    ]);
    let mut n = 0;
    for e in &a.excess {
        let mut why: Vec<String> = Vec::new();
        if e.action == "delete" {
            why.push("no flow needs it".into());
        }
        if e.any_address {
            why.push("open to any address".into());
        }
        if e.all_ports {
            why.push("all ports".into());
        }
        why.extend(e.sensitive_ports.iter().cloned());
        for o in &e.openings {
            n += 1;
            t.push(vec![
                n.to_string(),
                if e.action == "delete" {
                    "delete"
                } else {
                    "narrow: remove"
                }
                .to_string(),
                e.id.clone(),
                e.node.clone(),
                e.direction.clone(),
                o.protocol.clone(),
                ports(o),
                addrs(o),
                why.join("; "),
            ]);
        }
    }
    for (key, m) in &a.missing {
        for o in &m.openings {
            n += 1;
            t.push(vec![
                n.to_string(),
                if m.partial { "add (part)" } else { "add" }.to_string(),
                key.clone(),
                m.node.clone(),
                m.direction.clone(),
                o.protocol.clone(),
                ports(o),
                addrs(o),
                format!("required by {} flow(s): {}", m.flows.len(), m.description),
            ]);
        }
    }
    t
}

/// The audit's summary in a few lines.
pub fn audit_summary(s: &crate::audit::Summary) -> String {
    format!(
        "Existing rules: {} ({} justified, {} to narrow, {} to delete).\nRequired rules: {} ({} allowed today, {} missing); flows allowed at both ends: {} of {}.\nUnjustified share of the allowed address-by-port space: IPv4 {:.8}% ({} of {} pairs), IPv6 {:.8}%.\n",
        s.existing_rules,
        s.justified_rules,
        s.rules_to_narrow,
        s.rules_to_delete,
        s.required_rules,
        s.required_rules_allowed,
        s.missing_rules,
        s.flows_allowed,
        s.required_flows,
        100.0 * s.excess_share_ipv4,
        s.excess_space_ipv4,
        s.allowed_space_ipv4,
        100.0 * s.excess_share_ipv6,
    )
}

/// The header line of the zones: each zone in use (or declared) with its
/// exposure and, with a zone policy, the zones it accepts connections from.
fn zones_line(c: &Computation<'_>) -> String {
    let mut names: Vec<&str> = c.resolved.nodes.iter().map(|n| n.zone.as_str()).collect();
    names.extend(c.resolved.zones.keys().map(String::as_str));
    names.sort_unstable();
    names.dedup();
    let policy = !c.resolved.zones.is_empty();
    let parts: Vec<String> = names
        .iter()
        .map(|name| {
            let zone = c.resolved.zones.get(*name);
            let mut notes = vec![
                zone.map(|z| z.exposure)
                    .unwrap_or_default()
                    .as_str()
                    .to_string(),
            ];
            if policy {
                let from = zone.map(|z| z.accepts_from.join(", ")).unwrap_or_default();
                notes.push(if from.is_empty() {
                    "accepts no other zone".to_string()
                } else {
                    format!("accepts connections from {from}")
                });
            }
            format!("`{name}` ({})", notes.join("; "))
        })
        .collect();
    format!("- Zones: {}.\n", parts.join(", "))
}
