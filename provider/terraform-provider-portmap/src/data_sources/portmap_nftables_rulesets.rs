//! `portmap_nftables_rulesets`: each node's host firewall as an nftables
//! script (the text of `portmap rules --format nftables --node NAME`).

use portmap_core::nftables::rulesets;
use tfplugin::diag::Diagnostics;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Type, Value};

use super::DataSource;
use super::topology_input::{self, check_selection, selection};
use crate::convert::{diagnostics, json, read_state};
use crate::provider::Context;

/// `portmap_nftables_rulesets` as a [`DataSource`]; the module documentation says what it computes.
pub struct PortmapNftablesRulesets;

impl DataSource for PortmapNftablesRulesets {
    fn type_name(&self) -> &'static str {
        "portmap_nftables_rulesets"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "Computes the least-privilege rules of a deployment, like `portmap_flows`, as one host firewall per node: a complete `nft -f` script for Linux hosts, ready for cloud-init or configuration management. Each script defines the table `inet portmap` with an `input` and an `output` chain that drop by default, accept loopback traffic, packets of established or related connections (so return traffic needs no rule) and IPv6 neighbour discovery, and then accept exactly the node's rules, IPv4 and IPv6, port ranges as ranges, each under a comment with its rule key. The script first deletes the table, so loading it again replaces it in one transaction. Anything the node needs beyond the topology (SSH for its administrators, say) must be in the topology too: a packet any base chain drops is dropped.",
            )
            .attributes(topology_input::attributes())
            .attribute(Attribute::optional(
                "for_nodes",
                Type::set(Type::String),
                "Only return the scripts of these nodes (keys of `nodes`). The computation still covers the whole topology, so each script is exactly the one of the whole result. All nodes when null.",
            ))
            .attribute(Attribute::computed(
                "rulesets",
                Type::map(Type::String),
                "The `nft -f` script of each node, keyed by node name. Every node has one: a group node's script is the host firewall of each of its servers (flows inside the group are allowed from and to the group's CIDRs), and a node without addresses still gets its own firewall. A rule whose peer has no addresses is left out of the script (with a comment), never widened.",
            )),
        )
    }

    fn validate(&self, ctx: &Context, config: &Value) -> Diagnostics {
        let mut issues = topology_input::validate(ctx, config);
        issues.extend(check_selection(config, selection(config).as_ref()));
        diagnostics(&issues)
    }

    fn read(&self, ctx: &Context, config: &Value) -> (Option<Value>, Diagnostics) {
        let selected = selection(config);
        let selection_issues = check_selection(config, selected.as_ref());
        if !selection_issues.is_empty() {
            return (None, diagnostics(&selection_issues));
        }
        let comp = match topology_input::compute(ctx, config) {
            Ok(c) => c,
            Err(issues) => return (None, diagnostics(&issues)),
        };
        read_state(
            self.type_name(),
            &self.schema(),
            config,
            vec![(
                "rulesets",
                json(&rulesets(&comp, selected.as_ref()), "rulesets"),
            )],
            diagnostics(&comp.issues),
        )
    }
}
