//! The perimeter: the flows that cross a zone boundary, shaped the way
//! on-premises firewalls (Palo Alto, Fortinet, Check Point) and the hub
//! firewalls of landing zones take them: address objects per node, service
//! objects per protocol and port set, and policies per zone pair from
//! source addresses to destination addresses with services.
//!
//! Invariant: every policy is an exact product. For every source, every
//! destination and every service of a policy, the flows require exactly
//! that service between that source and that destination; nothing a policy
//! allows is wider than the flows (checked by `tests/perimeter.rs`). Pairs
//! are merged in two steps that keep the product exact: destinations of one
//! source with the same services, then sources with the same destinations
//! and services.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::catalog::Protocol;
use crate::cloud::cut_with_hash;
use crate::flows::FlowRecord;
use crate::ports::PortSet;
use crate::rules::Computation;
use crate::topology::ResolvedNode;

/// Longest policy name (Palo Alto and Check Point take 63 characters).
pub const MAX_POLICY_NAME: usize = 63;

/// One protocol and port set: what a service object stands for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Service {
    /// Transport.
    pub protocol: Protocol,
    /// Destination ports.
    pub ports: PortSet,
}

impl Service {
    /// The service object's name: `tcp-443`, `tcp-80_443_5701-5703`.
    pub fn name(&self) -> String {
        let ports: Vec<String> = self
            .ports
            .ranges()
            .iter()
            .map(ToString::to_string)
            .collect();
        format!("{}-{}", self.protocol.as_str(), ports.join("_"))
    }
}

/// A policy: every source may reach every destination on every service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Content-derived key: `FROM_ZONE>TO_ZONE:SOURCES>DESTINATIONS`, node
    /// names joined by `,`.
    pub key: String,
    /// Name for the firewall: `FROM_ZONE-to-TO_ZONE-SOURCE-DESTINATION`,
    /// cut with a hash of the key to [`MAX_POLICY_NAME`].
    pub name: String,
    /// Zone of the sources.
    pub from_zone: String,
    /// Zone of the destinations.
    pub to_zone: String,
    /// Source nodes, sorted.
    pub sources: Vec<String>,
    /// Destination nodes, sorted.
    pub destinations: Vec<String>,
    /// Services, sorted.
    pub services: Vec<Service>,
    /// Keys of the flows the policy serves, sorted.
    pub flows: Vec<String>,
    /// Products and purposes.
    pub description: String,
}

/// The sources and destinations of a policy in one zone pair.
#[derive(Default)]
struct Ends<'a> {
    sources: BTreeSet<&'a str>,
    destinations: BTreeSet<&'a str>,
}

/// The crossing flows of a computation, as policies sorted by zone pair
/// and key.
pub fn policies(c: &Computation<'_>) -> Vec<Policy> {
    let nodes: BTreeMap<&str, &ResolvedNode> = c
        .resolved
        .nodes
        .iter()
        .map(|n| (n.name.as_str(), n))
        .collect();
    // (from, to) → protocol → ports, and the flows.
    type Pair<'a> = (&'a str, &'a str);
    let mut pairs: BTreeMap<Pair<'_>, (BTreeMap<Protocol, PortSet>, Vec<&FlowRecord<'_>>)> =
        BTreeMap::new();
    for f in c.flows.iter().filter(|f| f.needs_rule()) {
        let (Some(a), Some(b)) = (nodes.get(&*f.from_node), nodes.get(&*f.to_node)) else {
            continue;
        };
        if a.zone == b.zone {
            continue;
        }
        let entry = pairs.entry((&a.name, &b.name)).or_default();
        entry.0.entry(f.protocol).or_default().insert(f.ports);
        entry.1.push(f);
    }
    let services_of = |m: &BTreeMap<Protocol, PortSet>| -> Vec<Service> {
        m.iter()
            .map(|(p, s)| Service {
                protocol: *p,
                ports: s.clone(),
            })
            .collect()
    };
    // Step 1: one source, its destinations with the same services.
    let mut by_source: BTreeMap<(&str, Vec<Service>), Vec<&str>> = BTreeMap::new();
    for ((from, to), (services, _)) in &pairs {
        by_source
            .entry((from, services_of(services)))
            .or_default()
            .push(to);
    }
    // Step 2: sources with the same destinations and services.
    let mut by_targets: BTreeMap<(Vec<&str>, Vec<Service>), Vec<&str>> = BTreeMap::new();
    for ((from, services), tos) in by_source {
        by_targets.entry((tos, services)).or_default().push(from);
    }
    let zone = |n: &str| nodes.get(n).map(|n| n.zone.as_str()).unwrap_or_default();
    let mut out: Vec<Policy> = Vec::new();
    for ((destinations, services), sources) in by_targets {
        // Destinations of one policy may lie in several zones (and sources
        // too): split by zone pair, which keeps the product exact.
        let mut by_zone: BTreeMap<(&str, &str), Ends<'_>> = BTreeMap::new();
        for s in &sources {
            for d in &destinations {
                let e = by_zone.entry((zone(s), zone(d))).or_default();
                e.sources.insert(s);
                e.destinations.insert(d);
            }
        }
        for (
            (from_zone, to_zone),
            Ends {
                sources: srcs,
                destinations: dsts,
            },
        ) in by_zone
        {
            let sources: Vec<String> = srcs.iter().map(|s| s.to_string()).collect();
            let destinations: Vec<String> = dsts.iter().map(|s| s.to_string()).collect();
            let mut flows: Vec<&FlowRecord<'_>> = Vec::new();
            for s in &srcs {
                for d in &dsts {
                    if let Some((_, fs)) = pairs.get(&(*s, *d)) {
                        flows.extend(fs.iter().copied());
                    }
                }
            }
            let key = format!(
                "{from_zone}>{to_zone}:{}>{}",
                sources.join(","),
                destinations.join(",")
            );
            let base = format!(
                "{from_zone}-to-{to_zone}-{}-{}",
                sources[0], destinations[0]
            );
            let name = if sources.len() == 1 && destinations.len() == 1 {
                cut_with_hash(&base, MAX_POLICY_NAME, &key)
            } else {
                // Always hashed: the first names alone would not tell two
                // merged policies apart.
                cut_with_hash(
                    &format!("{base}-{}", crate::cloud::short_hash(&key)),
                    MAX_POLICY_NAME,
                    &key,
                )
            };
            let description = crate::rules::describe(&flows, 255);
            let mut keys: Vec<String> = flows.iter().map(|f| f.key.to_string()).collect();
            keys.sort();
            keys.dedup();
            out.push(Policy {
                key,
                name,
                from_zone: from_zone.to_string(),
                to_zone: to_zone.to_string(),
                sources,
                destinations,
                services: services.clone(),
                flows: keys,
                description,
            });
        }
    }
    out.sort_by(|a, b| (&a.from_zone, &a.to_zone, &a.key).cmp(&(&b.from_zone, &b.to_zone, &b.key)));
    out
}

/// An address object of `portmap_perimeter_rules`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddressObjectOut {
    /// The node's zone.
    pub zone: String,
    /// The node's addresses.
    pub addresses: Vec<String>,
    /// The node's `ref`, or null.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

/// A service object of `portmap_perimeter_rules`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceObjectOut {
    /// `tcp` or `udp`.
    pub protocol: String,
    /// Ports: `443`, `80,443,5701-5703`.
    pub ports: String,
}

/// A policy of `portmap_perimeter_rules`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyOut {
    /// Content-derived key.
    pub key: String,
    /// Name for the firewall.
    pub name: String,
    /// Zone of the sources.
    pub from_zone: String,
    /// Zone of the destinations.
    pub to_zone: String,
    /// Source address object names (node names).
    pub sources: Vec<String>,
    /// Destination address object names.
    pub destinations: Vec<String>,
    /// Service object names.
    pub services: Vec<String>,
    /// `allow`.
    pub action: String,
    /// Products and purposes.
    pub description: String,
    /// Keys of the flows the policy serves.
    pub flows: Vec<String>,
}

/// `portmap_perimeter_rules`' output (and `portmap perimeter --format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerimeterOutput {
    /// Address objects by name (node name): only nodes some policy names.
    pub address_objects: BTreeMap<String, AddressObjectOut>,
    /// Service objects by name: only those some policy uses.
    pub service_objects: BTreeMap<String, ServiceObjectOut>,
    /// Policies, sorted by zone pair and key.
    pub policies: Vec<PolicyOut>,
}

impl PerimeterOutput {
    /// The perimeter of a computation.
    pub fn new(c: &Computation<'_>) -> Self {
        let policies = policies(c);
        let mut address_objects = BTreeMap::new();
        let mut service_objects = BTreeMap::new();
        for p in &policies {
            for n in p.sources.iter().chain(&p.destinations) {
                if let Some(node) = c.node(n) {
                    address_objects
                        .entry(n.clone())
                        .or_insert_with(|| AddressObjectOut {
                            zone: node.zone.clone(),
                            addresses: node.cidrs.iter().map(ToString::to_string).collect(),
                            reference: node.reference.clone(),
                        });
                }
            }
            for s in &p.services {
                service_objects
                    .entry(s.name())
                    .or_insert_with(|| ServiceObjectOut {
                        protocol: s.protocol.as_str().to_string(),
                        ports: s
                            .ports
                            .ranges()
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(","),
                    });
            }
        }
        PerimeterOutput {
            address_objects,
            service_objects,
            policies: policies
                .into_iter()
                .map(|p| PolicyOut {
                    services: p.services.iter().map(Service::name).collect(),
                    key: p.key,
                    name: p.name,
                    from_zone: p.from_zone,
                    to_zone: p.to_zone,
                    sources: p.sources,
                    destinations: p.destinations,
                    action: "allow".into(),
                    description: p.description,
                    flows: p.flows,
                })
                .collect(),
        }
    }
}

/// The warning for a topology none of whose flows crosses a zone boundary
/// (the perimeter shapes are then empty).
pub fn no_crossing_warning() -> crate::issue::Issue {
    crate::issue::Issue::warning(
        crate::issue::Path::root().attr("nodes"),
        "No flow crosses a zone boundary",
        "The perimeter shapes carry only flows between nodes of different zones, and no such flow needs a rule: give the nodes their zone (a spoke, dmz, on-prem, internet, ...), or use portmap_flows or a cloud shape for the nodes' own firewalls.",
    )
}

/// The perimeter as a change request for the team running the hub or
/// perimeter firewall: one row per policy, with the addresses of its
/// sources and destinations, its services, purposes and vendor rows.
pub fn table(c: &Computation<'_>) -> crate::render::Table {
    let mut table = crate::render::Table::new(&[
        "Policy",
        "From zone",
        "Sources",
        "To zone",
        "Destinations",
        "Services",
        "Purpose",
        "Vendor rows",
    ]);
    let named = |names: &[String]| -> String {
        names
            .iter()
            .map(|n| {
                let addresses: Vec<String> = c
                    .node(n)
                    .map(|node| node.cidrs.iter().map(ToString::to_string).collect())
                    .unwrap_or_default();
                format!("{n} ({})", addresses.join(" "))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    for p in policies(c) {
        let services: Vec<String> = p
            .services
            .iter()
            .map(|s| format!("{} {}", s.protocol.as_str().to_uppercase(), s.ports))
            .collect();
        let mut cited: Vec<(String, Vec<String>)> = Vec::new();
        for i in p
            .flows
            .iter()
            .filter_map(|k| c.flows.binary_search_by(|f| (*f.key).cmp(k.as_str())).ok())
        {
            crate::report::add_citation(&mut cited, &c.flows[i].citation);
        }
        let citations: Vec<String> = cited
            .into_iter()
            .map(|(doc, rows)| format!("{doc}, {}", rows.join("; ")))
            .collect();
        table.push(vec![
            p.name,
            p.from_zone,
            named(&p.sources),
            p.to_zone,
            named(&p.destinations),
            services.join(", "),
            p.description,
            citations.join("; "),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalog;

    fn computed(yaml: &str) -> Computation<'static> {
        let t: crate::Topology = serde_norway::from_str(yaml).unwrap();
        crate::compute(&t, Catalog::builtin().unwrap()).unwrap()
    }

    fn summary(p: &Policy) -> (String, Vec<String>, Vec<String>, Vec<String>) {
        (
            p.key.clone(),
            p.sources.clone(),
            p.destinations.clone(),
            p.services.iter().map(Service::name).collect(),
        )
    }

    #[test]
    fn pairs_with_the_same_services_merge_into_one_policy_per_zone_pair() {
        let c = computed(
            r#"
nodes:
  c1: { components: [spotfire/client], cidrs: [10.1.0.0/24], kind: group, zone: users }
  c2: { components: [spotfire/client], cidrs: [10.2.0.0/24], kind: group, zone: users }
  s1: { components: [spotfire/server], cidrs: [10.9.0.1], zone: srv }
  s2: { components: [spotfire/server], cidrs: [10.9.0.2], zone: srv }
  db: { components: [spotfire/database], cidrs: [10.8.0.1], zone: data }
products:
  spotfire: { features: [database-postgresql, https-connector], disabled_features: [http-connector] }
"#,
        );
        let got: Vec<_> = policies(&c).iter().map(summary).collect();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            got,
            [
                (
                    "srv>data:s1,s2>db".to_string(),
                    s(&["s1", "s2"]),
                    s(&["db"]),
                    s(&["tcp-5432"])
                ),
                (
                    "users>srv:c1,c2>s1,s2".to_string(),
                    s(&["c1", "c2"]),
                    s(&["s1", "s2"]),
                    s(&["tcp-443"])
                ),
            ]
        );
        // The cluster ports between s1 and s2 stay inside zone srv.
        assert!(got.iter().all(|(k, ..)| !k.starts_with("srv>srv")));
    }

    /// Every (source, destination, service) a policy allows is required:
    /// the crossing flows from that source to that destination on that
    /// protocol cover exactly the service's ports.
    #[test]
    #[allow(clippy::disallowed_methods)] // reads the examples: test code
    fn every_policy_of_the_zoned_examples_is_an_exact_product() {
        for example in ["spotfire-dmz", "1e-platform-dmz"] {
            let path = format!(
                "{}/../../examples/{example}/topology.yaml",
                env!("CARGO_MANIFEST_DIR")
            );
            let c = computed(&std::fs::read_to_string(path).unwrap());
            let ps = policies(&c);
            assert!(!ps.is_empty(), "{example}");
            for p in &ps {
                for s in &p.sources {
                    for d in &p.destinations {
                        for service in &p.services {
                            let mut required = PortSet::new();
                            for f in c.flows.iter().filter(|f| {
                                f.needs_rule()
                                    && *f.from_node == **s
                                    && *f.to_node == **d
                                    && f.protocol == service.protocol
                            }) {
                                required.insert(f.ports);
                            }
                            assert_eq!(
                                required,
                                service.ports,
                                "{example}: {} {s}>{d} {}",
                                p.key,
                                service.name()
                            );
                        }
                    }
                }
            }
        }
    }
}
