//! Risk checks shared by the cloud shapes. They are warnings by default (the
//! data sources' `fail_on_risk` makes them errors):
//!
//! - a database or administration port (the catalog's `sensitive` flows)
//!   opened from `0.0.0.0/0` or `::/0`;
//! - a cleartext protocol (the catalog's `cleartext` flows: HTTP, telnet,
//!   rexec/rlogin/rsh, LDAP without TLS, SMB, X11, ...) crossing into or out
//!   of a node marked `internet-facing` or `untrusted`;
//! - a very wide port range (at least [`WIDE_RANGE`] ports, such as the
//!   catalog's `1024-65535/udp` and "6010 and above" rows), so that it is
//!   visibly flagged rather than silently opened.
//!
//! - an untrusted node (its own `exposure` or its zone's) opening
//!   connections into an internal node, or to a database or administration
//!   port of any node that is not itself untrusted: what a fronting node
//!   (`fronts`) in a DMZ is for.
//!
//! Only flows that need a firewall rule are checked.

use std::collections::BTreeMap;

use crate::flows::FlowRecord;
use crate::issue::Issue;
use crate::rules::Computation;
use crate::topology::{Exposure, ResolvedNode};

use super::{escalate, node_path};

/// A flow's port range is flagged as very wide from this many ports on.
pub const WIDE_RANGE: u32 = 1000;

/// How a shape's rules name a peer that stands for every address: what the
/// rules name (\"covers 0.0.0.0/0\", \"is the service tag Internet\") and the
/// node's attribute that says so; `None` when its rules name the peer by
/// something narrower (a security group, a network tag).
pub type Everyone<'f> = &'f dyn Fn(&ResolvedNode) -> Option<(String, &'static str)>;

/// The CIDRs of a node that stand for every address (`0.0.0.0/0`,
/// `::/0`), as text.
pub fn every_address(n: &ResolvedNode) -> Vec<String> {
    n.cidrs
        .iter()
        .filter(|net| net.prefix_len() == 0)
        .map(ToString::to_string)
        .collect()
}

/// The `0.0.0.0/0` and `::/0` among a node's CIDRs, for shapes that name
/// the peer by its CIDRs.
pub fn whole_internet_cidrs(n: &ResolvedNode) -> Option<(String, &'static str)> {
    let all = every_address(n);
    (!all.is_empty()).then(|| (format!("covers {}", all.join(" and ")), "cidrs"))
}

/// One finding of the risk checks, with a stable key that `accepted_risks`
/// can name: `open-to-internet:FROM>TO`, `cleartext:FROM>TO`,
/// `wide-range:FROM>TO:PROTOCOL:PORTS` or `untrusted-peer:FROM>TO`.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The finding key.
    pub key: String,
    /// `open-to-internet`, `cleartext`, `wide-range` or `untrusted-peer`.
    pub kind: &'static str,
    /// The keys of the flows it concerns, sorted.
    pub flows: Vec<String>,
    /// The warning, as the cloud shapes report it.
    pub issue: Issue,
}

impl Finding {
    /// The reason it is accepted, if `accepted_risks` names its key, or
    /// every one of its flows (their reasons, joined).
    pub fn accepted(&self, accepted: &BTreeMap<String, String>) -> Option<String> {
        if let Some(r) = accepted.get(&self.key) {
            return Some(r.clone());
        }
        if self.flows.is_empty() {
            return None;
        }
        let mut reasons: Vec<&str> = Vec::new();
        for f in &self.flows {
            let r = accepted.get(f)?;
            if !reasons.contains(&r.as_str()) {
                reasons.push(r);
            }
        }
        Some(reasons.join("; "))
    }

    /// The warning with its key and how to accept it in the detail.
    pub fn issue_with_key(&self) -> Issue {
        let mut i = self.issue.clone();
        i.detail = format!(
            "{}\nFinding key: {}. If the risk is accepted, name it in accepted_risks with the reason.",
            i.detail, self.key
        );
        i
    }
}

/// Every finding of the risk checks, accepted or not, in a stable order.
/// `everyone` says how the shape's rules name a peer that stands for every
/// address (see [`Everyone`]).
pub fn findings(c: &Computation<'_>, everyone: Everyone<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(open_to_everyone(c, everyone));
    out.extend(cleartext_at_boundaries(c));
    out.extend(wide_ranges(c));
    out.extend(untrusted_peers(c));
    out
}

/// Runs every risk check. `everyone` says how the shape's rules name a
/// peer that stands for every address (see [`Everyone`]). With `as_errors`
/// every finding is an error. Findings the topology's `accepted_risks`
/// accept are left out.
pub fn check(c: &Computation<'_>, everyone: Everyone<'_>, as_errors: bool) -> Vec<Issue> {
    let accepted = &c.resolved.accepted_risks;
    let issues = findings(c, everyone)
        .into_iter()
        .filter(|f| f.accepted(accepted).is_none())
        .map(|f| f.issue)
        .collect();
    escalate(issues, as_errors)
}

/// [`check`] for the flows themselves (`portmap_flows`, the CLI): peers are
/// named by their CIDRs, and each warning says its finding key.
pub fn check_flows(c: &Computation<'_>, as_errors: bool) -> Vec<Issue> {
    let accepted = &c.resolved.accepted_risks;
    let issues = findings(c, &whole_internet_cidrs)
        .iter()
        .filter(|f| f.accepted(accepted).is_none())
        .map(Finding::issue_with_key)
        .collect();
    escalate(issues, as_errors)
}

/// Warnings for the keys of `accepted_risks` that name neither a finding
/// (with peers named by CIDRs or by refs) nor a flow of the computation.
pub fn unknown_accepted(c: &Computation<'_>) -> Vec<Issue> {
    let accepted = &c.resolved.accepted_risks;
    if accepted.is_empty() {
        return Vec::new();
    }
    let everyone = |n: &ResolvedNode| {
        whole_internet_cidrs(n).or_else(|| n.reference.as_ref().map(|r| (format!("is {r}"), "ref")))
    };
    let known: Vec<String> = findings(c, &everyone).into_iter().map(|f| f.key).collect();
    accepted
        .keys()
        .filter(|k| !known.contains(k))
        .filter(|k| c.flows.binary_search_by(|f| (*f.key).cmp(k.as_str())).is_err())
        .map(|k| {
            Issue::warning(
                crate::issue::Path::root().attr("accepted_risks").key(k),
                format!("Accepted risk \"{k}\" matches no finding and no flow"),
                format!(
                    "No risk finding has this key and no flow has it.{} Finding keys are open-to-internet:FROM>TO, cleartext:FROM>TO, wide-range:FROM>TO:PROTOCOL:PORTS and untrusted-peer:FROM>TO (see the Risks section of `portmap flows --format markdown`); flow keys are product:flow:from>to:protocol:ports.",
                    crate::suggest::did_you_mean(
                        k,
                        known
                            .iter()
                            .map(String::as_str)
                            .chain(c.flows.iter().map(|f| &*f.key))
                    )
                ),
            )
        })
        .collect()
}

fn needing_rules<'a>(
    c: &'a Computation<'_>,
) -> impl Iterator<Item = (&'a FlowRecord<'a>, &'a ResolvedNode, &'a ResolvedNode)> + 'a {
    let nodes = super::node_index(c);
    c.flows
        .iter()
        .filter(|f| f.needs_rule())
        .filter_map(move |f| Some((f, *nodes.get(&*f.from_node)?, *nodes.get(&*f.to_node)?)))
}

fn line(f: &FlowRecord) -> String {
    format!(
        "- {} {}: {}/{} {} ({}); {}",
        f.product, f.flow, f.protocol, f.ports, f.app_protocol, f.purpose, f.citation
    )
}

fn flow_keys(flows: &[&FlowRecord]) -> Vec<String> {
    let mut v: Vec<String> = flows.iter().map(|f| f.key.to_string()).collect();
    v.sort();
    v.dedup();
    v
}

fn open_to_everyone(c: &Computation<'_>, everyone: Everyone<'_>) -> Vec<Finding> {
    let mut by_pair: BTreeMap<(&str, &str), Vec<&FlowRecord>> = BTreeMap::new();
    let mut anywhere: BTreeMap<&str, (String, &'static str)> = BTreeMap::new();
    for (f, from, _) in needing_rules(c) {
        if f.sensitive.is_none() {
            continue;
        }
        let Some(all) = everyone(from) else {
            continue;
        };
        anywhere.insert(&from.name, all);
        by_pair
            .entry((&f.from_node, &f.to_node))
            .or_default()
            .push(f);
    }
    by_pair
        .into_iter()
        .map(|((from, to), flows)| {
            let kinds: Vec<&str> = {
                let mut k: Vec<&str> = flows.iter().filter_map(|f| f.sensitive.map(|s| s.as_str())).collect();
                k.sort();
                k.dedup();
                k
            };
            let (nets, attr) = anywhere.get(from).cloned().unwrap_or_default();
            let issue = Issue::warning(
                node_path(from).attr(if attr.is_empty() { "cidrs" } else { attr }),
                format!("Risk: {} port{} of \"{to}\" open to the whole internet", kinds.join(" and "), if flows.len() == 1 { "" } else { "s" }),
                format!(
                    "Node \"{from}\" {nets}, so these {} rules accept every address:\n{}\nDatabase and administration ports should only be reachable from known networks: give \"{from}\" the CIDRs of the administrators or applications that really connect, or a ref, or disable the feature that needs the flow.",
                    kinds.join("/"),
                    flows.iter().map(|f| line(f)).collect::<Vec<_>>().join("\n")
                ),
            );
            Finding {
                key: format!("open-to-internet:{from}>{to}"),
                kind: "open-to-internet",
                flows: flow_keys(&flows),
                issue,
            }
        })
        .collect()
}

fn exposed(n: &ResolvedNode) -> bool {
    n.exposure != Exposure::Internal
}

fn cleartext_at_boundaries(c: &Computation<'_>) -> Vec<Finding> {
    let mut by_pair: BTreeMap<(&str, &str), (Vec<&FlowRecord>, &ResolvedNode, &ResolvedNode)> =
        BTreeMap::new();
    for (f, from, to) in needing_rules(c) {
        if f.cleartext && (exposed(from) || exposed(to)) {
            by_pair
                .entry((&f.from_node, &f.to_node))
                .or_insert_with(|| (Vec::new(), from, to))
                .0
                .push(f);
        }
    }
    by_pair
        .into_values()
        .map(|(flows, from, to)| {
            // Point at the exposed end: the traffic crosses into it (or,
            // when only the source is exposed, comes out of it).
            let boundary = if exposed(to) { to } else { from };
            let label = |n: &ResolvedNode| {
                if exposed(n) { format!("\"{}\" ({})", n.name, n.exposure.as_str()) } else { format!("\"{}\"", n.name) }
            };
            let issue = Issue::warning(
                node_path(&boundary.name),
                format!("Risk: cleartext protocol{} from {} to {}", if flows.len() == 1 { "" } else { "s" }, label(from), label(to)),
                format!(
                    "These flows are unencrypted and cross the boundary of \"{}\", which is marked {}:\n{}\nUse the product's encrypted variant where it has one (for example HTTPS, LDAPS or SSH features), or keep the traffic off untrusted networks.",
                    boundary.name,
                    boundary.exposure.as_str(),
                    flows.iter().map(|f| line(f)).collect::<Vec<_>>().join("\n")
                ),
            );
            Finding {
                key: format!("cleartext:{}>{}", from.name, to.name),
                kind: "cleartext",
                flows: flow_keys(&flows),
                issue,
            }
        })
        .collect()
}

fn wide_ranges(c: &Computation<'_>) -> Vec<Finding> {
    needing_rules(c)
        .filter(|(f, _, _)| f.ports.len() >= WIDE_RANGE)
        .map(|(f, from, to)| {
            let issue = Issue::warning(
                node_path(&to.name),
                format!("Risk: {} ports ({}/{}) opened from \"{}\" to \"{}\"", f.ports.len(), f.protocol, f.ports, from.name, to.name),
                format!(
                    "{} flow {} ({}, {}) needs the whole range {}/{} by the vendor document ({}), so every rule for it opens {} ports. Narrow it in the product's configuration if it allows, keep the peers' CIDRs small, or disable the feature that needs the flow if it is not used.",
                    f.product,
                    f.flow,
                    f.purpose,
                    f.app_protocol,
                    f.protocol,
                    f.ports,
                    f.citation,
                    f.ports.len()
                ),
            );
            Finding {
                key: format!(
                    "wide-range:{}>{}:{}:{}",
                    from.name, to.name, f.protocol, f.ports
                ),
                kind: "wide-range",
                flows: vec![f.key.to_string()],
                issue,
            }
        })
        .collect()
}

/// Well-known TCP administration and database ports, for rules portmap did
/// not compute (the audit's existing rules), where no catalog flow says
/// what a port is for: (first, last, kind, service).
pub const WELL_KNOWN_SENSITIVE: &[(u16, u16, &str, &str)] = &[
    (22, 22, "admin", "SSH"),
    (23, 23, "admin", "telnet"),
    (135, 135, "admin", "MS RPC"),
    (139, 139, "admin", "NetBIOS"),
    (445, 445, "admin", "SMB"),
    (1433, 1433, "database", "SQL Server"),
    (1521, 1521, "database", "Oracle"),
    (2375, 2376, "admin", "Docker API"),
    (3306, 3306, "database", "MySQL"),
    (3389, 3389, "admin", "RDP"),
    (5432, 5432, "database", "PostgreSQL"),
    (5900, 5900, "admin", "VNC"),
    (5985, 5986, "admin", "WinRM"),
    (6379, 6379, "database", "Redis"),
    (9042, 9042, "database", "Cassandra"),
    (9200, 9200, "database", "Elasticsearch"),
    (11211, 11211, "database", "Memcached"),
    (27017, 27017, "database", "MongoDB"),
];

/// Well-known TCP ports of cleartext protocols, for the audit's existing
/// rules: (first, last, protocol).
pub const WELL_KNOWN_CLEARTEXT: &[(u16, u16, &str)] = &[
    (21, 21, "FTP"),
    (23, 23, "telnet"),
    (80, 80, "HTTP"),
    (110, 110, "POP3"),
    (143, 143, "IMAP"),
    (389, 389, "LDAP"),
    (512, 514, "rexec/rlogin/rsh"),
    (6000, 6063, "X11"),
];

/// An existing rule (one the audit was given) as the risk checks read it.
#[derive(Debug, Clone)]
pub struct ExistingView<'a> {
    /// Where the rule is in the input (`existing[3]`).
    pub path: crate::issue::Path,
    /// The rule's id in the user's world.
    pub id: &'a str,
    /// The node it is enforced at.
    pub node: &'a ResolvedNode,
    /// Ingress or egress.
    pub direction: crate::rules::Direction,
    /// The TCP ports it allows, if any.
    pub tcp: Option<crate::ports::PortRange>,
    /// The UDP ports it allows, if any.
    pub udp: Option<crate::ports::PortRange>,
    /// Whether it allows every IP protocol.
    pub all_protocols: bool,
    /// Whether its addresses include `0.0.0.0/0` or `::/0`.
    pub everyone: bool,
}

/// The risk checks on rules that exist today: sensitive ports (the
/// catalog's sensitive flows into the node, and [`WELL_KNOWN_SENSITIVE`])
/// open to the whole internet, cleartext ports (the catalog's cleartext
/// flows into the node, and [`WELL_KNOWN_CLEARTEXT`]) open into an exposed
/// node, and ranges of at least [`WIDE_RANGE`] ports (or every protocol).
/// Each finding is at the rule's path.
pub fn check_existing(
    c: &Computation<'_>,
    rules: &[ExistingView<'_>],
    as_errors: bool,
) -> Vec<Issue> {
    use crate::catalog::Protocol;
    use crate::rules::Direction;
    let mut issues = Vec::new();
    for r in rules {
        let hits = |list: &mut Vec<String>, proto: Protocol, from: u16, to: u16, label: String| {
            let allowed = match proto {
                Protocol::Tcp => r.tcp,
                Protocol::Udp => r.udp,
            };
            if allowed.is_some_and(|a| a.overlaps(&crate::ports::PortRange { from, to }))
                && !list.contains(&label)
            {
                list.push(label);
            }
        };
        let into_node = c.flows.iter().filter(|f| {
            f.needs_rule() && *f.to_node == *r.node.name && r.direction == Direction::Ingress
        });
        if r.direction == Direction::Ingress && r.everyone {
            let mut found = Vec::new();
            for f in into_node.clone().filter(|f| f.sensitive.is_some()) {
                hits(
                    &mut found,
                    f.protocol,
                    f.ports.from,
                    f.ports.to,
                    format!("{}/{} ({} {})", f.protocol, f.ports, f.product, f.purpose),
                );
            }
            for &(from, to, kind, service) in WELL_KNOWN_SENSITIVE {
                let ports = crate::ports::PortRange { from, to };
                hits(
                    &mut found,
                    Protocol::Tcp,
                    from,
                    to,
                    format!("tcp/{ports} ({service}, {kind})"),
                );
            }
            if !found.is_empty() {
                issues.push(Issue::warning(
                    r.path.clone(),
                    format!("Risk: existing rule \"{}\" opens administration or database ports of \"{}\" to the whole internet", r.id, r.node.name),
                    format!("The rule accepts 0.0.0.0/0 or ::/0 on:\n- {}\nDatabase and administration ports should only be reachable from known networks.", found.join("\n- ")),
                ));
            }
        }
        if r.direction == Direction::Ingress && exposed(r.node) {
            let mut found = Vec::new();
            for f in into_node.filter(|f| f.cleartext) {
                hits(
                    &mut found,
                    f.protocol,
                    f.ports.from,
                    f.ports.to,
                    format!(
                        "{}/{} {} ({} {})",
                        f.protocol, f.ports, f.app_protocol, f.product, f.purpose
                    ),
                );
            }
            for &(from, to, name) in WELL_KNOWN_CLEARTEXT {
                let ports = crate::ports::PortRange { from, to };
                hits(
                    &mut found,
                    Protocol::Tcp,
                    from,
                    to,
                    format!("tcp/{ports} {name}"),
                );
            }
            if !found.is_empty() {
                issues.push(Issue::warning(
                    r.path.clone(),
                    format!("Risk: existing rule \"{}\" allows cleartext protocols into \"{}\" ({})", r.id, r.node.name, r.node.exposure.as_str()),
                    format!("The node is marked {}, and the rule allows unencrypted protocols into it:\n- {}\nUse the encrypted variants, or keep the traffic off untrusted networks.", r.node.exposure.as_str(), found.join("\n- ")),
                ));
            }
        }
        let widest = [r.tcp, r.udp]
            .into_iter()
            .flatten()
            .map(|p| p.len())
            .max()
            .unwrap_or(0);
        if r.all_protocols || widest >= WIDE_RANGE {
            let what = if r.all_protocols {
                "every protocol and port".to_string()
            } else {
                format!("{widest} ports")
            };
            issues.push(Issue::warning(
                r.path.clone(),
                format!("Risk: existing rule \"{}\" opens {what} at \"{}\"", r.id, r.node.name),
                format!("A {} rule this wide is rarely justified; the audit's excess lists what of it no flow needs.", r.direction),
            ));
        }
    }
    escalate(issues, as_errors)
}

/// An untrusted node into an internal node (any port), or into a database
/// or administration port of a node that is not untrusted.
fn untrusted_peers(c: &Computation<'_>) -> Vec<Finding> {
    let mut by_pair: BTreeMap<(&str, &str), (Vec<&FlowRecord>, &ResolvedNode, &ResolvedNode)> =
        BTreeMap::new();
    for (f, from, to) in needing_rules(c) {
        let into_internal = to.exposure == Exposure::Internal;
        let sensitive_port = f.sensitive.is_some() && to.exposure != Exposure::Untrusted;
        if from.exposure == Exposure::Untrusted && (into_internal || sensitive_port) {
            by_pair
                .entry((&f.from_node, &f.to_node))
                .or_insert_with(|| (Vec::new(), from, to))
                .0
                .push(f);
        }
    }
    by_pair
        .into_values()
        .map(|(flows, from, to)| {
            let summary = if to.exposure == Exposure::Internal {
                format!("Risk: internal node \"{}\" accepts connections from untrusted \"{}\"", to.name, from.name)
            } else {
                format!(
                    "Risk: database or administration port{} of \"{}\" ({}) open to untrusted \"{}\"",
                    if flows.len() == 1 { "" } else { "s" },
                    to.name,
                    to.exposure.as_str(),
                    from.name
                )
            };
            let issue = Issue::warning(
                node_path(&to.name),
                summary,
                format!(
                    "\"{}\" is untrusted ({}), and these flows let it open connections into \"{}\":\n{}\nPut a node in front of the component (a reverse proxy or load balancer in a DMZ, with fronts = [{{ component = \"{}\" }}]) so that untrusted clients reach only it, or, if the peer is trusted after all, correct its exposure or zone.",
                    from.name,
                    if from.zone == crate::topology::DEFAULT_ZONE { "its exposure".to_string() } else { format!("zone \"{}\" or its exposure", from.zone) },
                    to.name,
                    flows.iter().map(|f| line(f)).collect::<Vec<_>>().join("\n"),
                    flows.first().map(|f| &*f.to_component).unwrap_or_default()
                ),
            );
            Finding {
                key: format!("untrusted-peer:{}>{}", from.name, to.name),
                kind: "untrusted-peer",
                flows: flow_keys(&flows),
                issue,
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::cloud::testkit::{compute, n};
    use crate::issue::Severity;

    #[test]
    fn admin_ports_from_the_internet_are_flagged_once_per_pair() {
        let c = compute(
            vec![
                ("oe", n("plossys/output-engine | 10.0.0.10")),
                (
                    "admins",
                    n("plossys/admin | 0.0.0.0/0 ::/0 | group untrusted"),
                ),
            ],
            &[],
        );
        let issues = check(&c, &whole_internet_cidrs, false);
        let open: Vec<&Issue> = issues
            .iter()
            .filter(|i| i.summary.contains("open to the whole internet"))
            .collect();
        assert_eq!(open.len(), 1, "{issues:#?}");
        assert_eq!(
            open[0].summary,
            "Risk: admin ports of \"oe\" open to the whole internet"
        );
        assert_eq!(open[0].path.to_string(), "nodes[\"admins\"].cidrs");
        assert!(open[0].detail.contains("0.0.0.0/0 and ::/0"));
        // Kibana 5601 and the Administrator GUI 9000.
        assert!(
            open[0].detail.contains("plossys admin-kibana: tcp/5601"),
            "{}",
            open[0].detail
        );
        assert!(
            open[0].detail.contains("plossys admin-gui: tcp/9000"),
            "{}",
            open[0].detail
        );
        assert_eq!(open[0].severity, Severity::Warning);
        // A shape that uses the peer's ref instead does not open it.
        assert!(
            check(&c, &|_| None, false)
                .iter()
                .all(|i| !i.summary.contains("whole internet"))
        );
        // Errors on request.
        assert!(
            check(&c, &whole_internet_cidrs, true)
                .iter()
                .all(|i| i.severity == Severity::Error)
        );
    }

    #[test]
    fn cleartext_into_an_exposed_node_is_flagged() {
        let c = compute(
            vec![
                (
                    "oe",
                    n("plossys/output-engine | 192.0.2.10 | internet-facing"),
                ),
                ("clients", n("plossys/client | 10.2.0.0/16 | group")),
            ],
            &[],
        );
        let issues = check(&c, &whole_internet_cidrs, false);
        let clear: Vec<&Issue> = issues
            .iter()
            .filter(|i| i.summary.contains("cleartext"))
            .collect();
        assert_eq!(clear.len(), 1, "{issues:#?}");
        assert_eq!(
            clear[0].summary,
            "Risk: cleartext protocols from \"clients\" to \"oe\" (internet-facing)"
        );
        // LPR 515 and IPP over HTTP 631; IPPS 443 is encrypted.
        assert!(clear[0].detail.contains("plossys client-lpr: tcp/515 LPR"));
        assert!(
            clear[0]
                .detail
                .contains("plossys client-ipp: tcp/631 HTTP (IPP)")
        );
        assert!(!clear[0].detail.contains("tcp/443"));
        // Both internal: nothing.
        let c = compute(
            vec![
                ("oe", n("plossys/output-engine | 10.0.0.10")),
                ("clients", n("plossys/client | 10.2.0.0/16 | group")),
            ],
            &[],
        );
        assert!(check(&c, &whole_internet_cidrs, false).is_empty());
    }

    #[test]
    fn findings_have_stable_keys_and_accepted_ones_are_left_out() {
        let mut c = compute(
            vec![
                (
                    "oe",
                    n("plossys/output-engine | 192.0.2.10 | internet-facing"),
                ),
                ("clients", n("plossys/client | 10.2.0.0/16 | group")),
                ("admins", n("plossys/admin | 0.0.0.0/0 | group untrusted")),
            ],
            &[],
        );
        let keys: Vec<String> = findings(&c, &whole_internet_cidrs)
            .into_iter()
            .map(|f| f.key)
            .collect();
        assert!(
            keys.contains(&"open-to-internet:admins>oe".to_string()),
            "{keys:?}"
        );
        assert!(
            keys.contains(&"cleartext:clients>oe".to_string()),
            "{keys:?}"
        );
        let before = check(&c, &whole_internet_cidrs, true).len();
        // By finding key.
        c.resolved.accepted_risks.insert(
            "open-to-internet:admins>oe".into(),
            "admins VPN only".into(),
        );
        let after = check(&c, &whole_internet_cidrs, true);
        assert_eq!(after.len(), before - 1);
        assert!(after.iter().all(|i| !i.summary.contains("whole internet")));
        // By flow key: every flow of the finding must be accepted.
        let clear = findings(&c, &whole_internet_cidrs)
            .into_iter()
            .find(|f| f.key == "cleartext:clients>oe")
            .unwrap();
        assert!(clear.flows.len() >= 2, "{:?}", clear.flows);
        c.resolved
            .accepted_risks
            .insert(clear.flows[0].clone(), "LPR by design".into());
        assert_eq!(clear.accepted(&c.resolved.accepted_risks), None);
        for f in &clear.flows[1..] {
            c.resolved
                .accepted_risks
                .insert(f.clone(), "IPP by design".into());
        }
        assert_eq!(
            clear.accepted(&c.resolved.accepted_risks).as_deref(),
            Some("LPR by design; IPP by design")
        );
        assert_eq!(check(&c, &whole_internet_cidrs, true).len(), before - 2);
        // The warnings of the flows name the key; the shapes' do not.
        assert!(
            check(&c, &whole_internet_cidrs, false)
                .iter()
                .all(|i| !i.detail.contains("Finding key"))
        );
        c.resolved.accepted_risks.clear();
        assert!(
            check_flows(&c, false)
                .iter()
                .any(|i| i.detail.contains("Finding key: cleartext:clients>oe."))
        );
        // Unknown keys.
        c.resolved
            .accepted_risks
            .insert("cleartext:client>oe".into(), "typo".into());
        let unknown = unknown_accepted(&c);
        assert_eq!(unknown.len(), 1);
        assert_eq!(
            unknown[0].path.to_string(),
            "accepted_risks[\"cleartext:client>oe\"]"
        );
        assert!(unknown[0].detail.contains("cleartext:clients>oe"));
    }

    #[test]
    fn the_catalogs_wide_rows_are_flagged() {
        let c = compute(
            vec![
                ("tts", n("tarantella/server | 10.0.0.10")),
                (
                    "apps",
                    n("tarantella/application-server | 10.0.1.0/24 | group"),
                ),
                ("securid", n("tarantella/securid-server | 10.0.2.10")),
            ],
            &[("tarantella", &["x-applications"])],
        );
        let issues = check(&c, &whole_internet_cidrs, false);
        let wide: Vec<&str> = issues
            .iter()
            .filter(|i| i.summary.contains(" ports ("))
            .map(|i| i.summary.as_str())
            .collect();
        assert_eq!(
            wide,
            vec![
                "Risk: 64512 ports (udp/1024-65535) opened from \"tts\" to \"securid\"",
                "Risk: 59526 ports (tcp/6010-65535) opened from \"apps\" to \"tts\"",
            ]
        );
    }
}
