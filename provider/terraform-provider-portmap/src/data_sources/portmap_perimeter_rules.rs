//! `portmap_perimeter_rules`: the flows that cross a zone boundary, in the
//! vendor-neutral shape of on-premises and hub firewalls (address objects,
//! service objects, policies per zone pair).

use portmap_core::perimeter::PerimeterOutput;
use tfplugin::diag::Diagnostics;
use tfplugin::schema::{Attribute, ObjectNesting, Schema};
use tfplugin::value::{Type, Value};

use super::DataSource;
use super::{hub_shape, topology_input};
use crate::convert::{diagnostics, json};
use crate::provider::Context;

/// `portmap_perimeter_rules` as a [`DataSource`]; the module documentation says what it computes.
pub struct PortmapPerimeterRules;

fn address_object_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed("zone", Type::String, "The node's zone."),
        Attribute::computed(
            "addresses",
            Type::list(Type::String),
            "The node's addresses (CIDRs), normalized: the members of the firewall's address object or address group.",
        ),
        Attribute::computed("ref", Type::String, "The node's `ref`, or null."),
    ]
}

fn service_object_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed(
            "protocol",
            Type::String,
            "Transport protocol: `tcp` or `udp`.",
        ),
        Attribute::computed(
            "ports",
            Type::String,
            "Destination ports, comma-separated single ports and ranges (`443`, `80,443,5701-5703`): only ports that flows require.",
        ),
    ]
}

fn policy_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed(
            "key",
            Type::String,
            "Stable content-derived key `FROM_ZONE>TO_ZONE:SOURCES>DESTINATIONS` (node names joined by commas).",
        ),
        Attribute::computed(
            "name",
            Type::String,
            "Name for the firewall: `FROM_ZONE-to-TO_ZONE-SOURCE-DESTINATION`, with a short hash of the key when it merges several sources or destinations or is longer than 63 characters (the limit of Palo Alto and Check Point rule names).",
        ),
        Attribute::computed("from_zone", Type::String, "Zone of the sources."),
        Attribute::computed("to_zone", Type::String, "Zone of the destinations."),
        Attribute::computed(
            "sources",
            Type::list(Type::String),
            "Source address objects (keys of `address_objects`).",
        ),
        Attribute::computed(
            "destinations",
            Type::list(Type::String),
            "Destination address objects (keys of `address_objects`).",
        ),
        Attribute::computed(
            "services",
            Type::list(Type::String),
            "Service objects (keys of `service_objects`).",
        ),
        Attribute::computed("action", Type::String, "`allow`."),
        Attribute::computed(
            "description",
            Type::String,
            "Products and purposes of the flows the policy serves.",
        ),
        Attribute::computed(
            "flows",
            Type::list(Type::String),
            "Keys of the flows (as `portmap_flows` names them) the policy serves: each policy cites its vendor rows through them.",
        ),
    ]
}

impl DataSource for PortmapPerimeterRules {
    fn type_name(&self) -> &'static str {
        "portmap_perimeter_rules"
    }

    fn schema(&self) -> Schema {
        hub_shape::schema(
            "The connections that cross a zone boundary (nodes' `zone`), in the vendor-neutral shape of perimeter firewalls (Palo Alto, Fortinet, Check Point, a hub appliance): an address object per node, a service object per protocol and port set, and allow policies per zone pair from source address objects to destination address objects with services. Every policy is an exact product: each of its sources needs each of its services to each of its destinations, so nothing it allows is wider than the flows. Flows inside a zone are left to the nodes' own firewalls (`portmap_flows`, the cloud shapes).",
            Vec::new(),
            vec![
                Attribute::nested("address_objects", ObjectNesting::Map, address_object_attributes(), "Address objects keyed by node name: the nodes some policy names.")
                    .make_computed(),
                Attribute::nested("service_objects", ObjectNesting::Map, service_object_attributes(), "Service objects keyed by name (`tcp-443`, `tcp-80_443_5701-5703`): the protocol and port sets some policy uses.")
                    .make_computed(),
                Attribute::nested("policies", ObjectNesting::List, policy_attributes(), "Allow policies, sorted by zone pair and key. Sources and destinations with the same services are merged only while the policy stays an exact product.")
                    .make_computed(),
            ],
        )
    }

    fn validate(&self, ctx: &Context, config: &Value) -> Diagnostics {
        diagnostics(&topology_input::validate(ctx, config))
    }

    /// Read through the hub shape. Unlike the Azure Firewall and AWS
    /// Network Firewall shapes, validation gives no warning for addresses
    /// unknown at plan (as before).
    fn read(&self, ctx: &Context, config: &Value) -> (Option<Value>, Diagnostics) {
        hub_shape::read(
            self.type_name(),
            &self.schema(),
            ctx,
            config,
            Vec::new(),
            &|comp, as_errors| {
                let mut issues = portmap_core::cloud::risk::check_flows(comp, as_errors);
                let out = PerimeterOutput::new(comp);
                if out.policies.is_empty() {
                    issues.push(portmap_core::perimeter::no_crossing_warning());
                }
                let attributes = vec![
                    (
                        "address_objects",
                        json(&out.address_objects, "address_objects"),
                    ),
                    (
                        "service_objects",
                        json(&out.service_objects, "service_objects"),
                    ),
                    ("policies", json(&out.policies, "policies")),
                ];
                (attributes, issues)
            },
        )
    }
}
