//! `portmap_catalog`: the built-in catalog (and the provider's extra
//! catalogs): products, components, settings, features and flows.

use std::collections::BTreeMap;

use portmap_core::issue::{Issue, Path};
use portmap_core::output::catalog_output;
use portmap_core::suggest::did_you_mean;
use tfplugin::diag::Diagnostics;
use tfplugin::schema::{Attribute, Block, ObjectNesting, Schema};
use tfplugin::value::{Type, Value};

use super::DataSource;
use crate::convert::{diagnostics, json, read_state, strings};
use crate::provider::Context;

/// `portmap_catalog` as a [`DataSource`]; the module documentation says what it computes.
pub struct PortmapCatalog;

fn product_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed("id", Type::String, "Product id, used in component ids (`product/component`)."),
        Attribute::computed("name", Type::String, "Product name."),
        Attribute::computed("vendor", Type::String, "Vendor."),
        Attribute::computed("version", Type::String, "The product version the source document describes."),
        Attribute::computed("description", Type::String, "What the product is."),
        Attribute::computed("source_document", Type::String, "File name of the vendor document the product is encoded from."),
        Attribute::computed("source_title", Type::String, "Title of the vendor document."),
        Attribute::nested(
            "components",
            ObjectNesting::List,
            vec![
                Attribute::computed("id", Type::String, "Full component id, `product/component`, as used in `nodes[*].components`."),
                Attribute::computed("name", Type::String, "Name as the vendor document calls it."),
                Attribute::computed("description", Type::String, "What the component is and where it runs."),
                Attribute::computed("role", Type::String, "`server`, `client`, `database`, `directory`, `service` or `internet`."),
                Attribute::computed("includes", Type::list(Type::String), "For a bundle, the components placing it places; empty otherwise."),
                Attribute::computed("optional", Type::Bool, "Whether flows to or from it are left out silently when it is not placed."),
            ],
            "The product's components (roles), including outside parties such as databases, directories, mail relays and internet services.",
        )
        .make_computed(),
        Attribute::nested(
            "settings",
            ObjectNesting::List,
            vec![
                Attribute::computed("id", Type::String, "Setting id, used in `products[*].settings`."),
                Attribute::computed("name", Type::String, "Setting name."),
                Attribute::computed("description", Type::String, "What the setting configures."),
                Attribute::computed("kind", Type::String, "`port` (one port), `count` (a number of instances) or `ports` (a list such as `\"1521, 5000-5010\"`)."),
                Attribute::computed("default", Type::String, "The vendor's default, as text."),
                Attribute::computed("vendor_setting", Type::String, "Where the vendor configures it (installer property, file, table), or null."),
            ],
            "The product's configurable values with their defaults.",
        )
        .make_computed(),
        Attribute::nested(
            "features",
            ObjectNesting::List,
            vec![
                Attribute::computed("id", Type::String, "Feature id, used in `products[*].features`."),
                Attribute::computed("name", Type::String, "Feature name."),
                Attribute::computed("description", Type::String, "What enabling it means."),
                Attribute::computed("default", Type::Bool, "Whether it is on unless disabled."),
                Attribute::computed("auto", Type::String, "When it switches on by itself from the placement, or null."),
                Attribute::computed("group", Type::String, "The group of related features it belongs to, or null."),
            ],
            "The product's features: named conditions that switch flows on or off.",
        )
        .make_computed(),
        Attribute::nested(
            "groups",
            ObjectNesting::List,
            vec![
                Attribute::computed("id", Type::String, "Group id, as `features[*].group` names it."),
                Attribute::computed("name", Type::String, "Group name."),
                Attribute::computed("description", Type::String, "What the choice is about."),
                Attribute::computed("exclusive", Type::Bool, "Whether the features are alternatives: enabling one turns the group's other features (including ones on by default or automatic) off unless they are enabled too. In a group that is not exclusive each feature is on or off by itself, so a feature on by default stays on until disabled."),
                Attribute::computed("required_with", Type::String, "The component (`product/component`) whose placement asks for one feature of the group to be on (a warning says which to choose otherwise), or null."),
                Attribute::computed("features", Type::list(Type::String), "The ids of the group's features, in catalog order."),
            ],
            "The product's groups of related features, with their exclusivity.",
        )
        .make_computed(),
    ]
}

fn flow_attributes() -> Vec<Attribute> {
    vec![
        Attribute::computed("id", Type::String, "Flow id within the product."),
        Attribute::computed("product", Type::String, "Product id."),
        Attribute::computed(
            "from_component",
            Type::String,
            "Component that opens the connection (`product/component`).",
        ),
        Attribute::computed("to_component", Type::String, "Component that listens."),
        Attribute::computed(
            "protocol",
            Type::String,
            "Transport protocol: `tcp` or `udp`.",
        ),
        Attribute::computed(
            "from_port",
            Type::Number,
            "First port at the given settings; null when the ports come from a port-list setting that is empty.",
        ),
        Attribute::computed(
            "to_port",
            Type::Number,
            "Last port at the given settings; null like `from_port`.",
        ),
        Attribute::computed(
            "ports_expression",
            Type::String,
            "The port expression as the catalog writes it, e.g. `{switch_port}` or `one per {array_members}: 4000, then every 2`.",
        ),
        Attribute::computed(
            "app_protocol",
            Type::String,
            "Application protocol, as the vendor names it.",
        ),
        Attribute::computed("purpose", Type::String, "What the connection is for."),
        Attribute::computed(
            "condition",
            Type::String,
            "The feature expression under which the flow exists; null when unconditional.",
        ),
        Attribute::computed(
            "firewall",
            Type::Bool,
            "Whether the vendor says a firewall must allow it.",
        ),
        Attribute::computed(
            "scope",
            Type::String,
            "`network` (between machines) or `host` (always on one machine, never a network rule).",
        ),
        Attribute::computed(
            "sensitive",
            Type::String,
            "`database` or `admin` for ports that deserve extra care, else null.",
        ),
        Attribute::computed(
            "cleartext",
            Type::Bool,
            "Whether the application protocol is unencrypted.",
        ),
        Attribute::computed(
            "citation",
            Type::String,
            "The vendor document, table and row(s) the flow is encoded from.",
        ),
        Attribute::computed(
            "note",
            Type::String,
            "How an ambiguous or erroneous row of the document was read, or null.",
        ),
    ]
}

impl DataSource for PortmapCatalog {
    fn type_name(&self) -> &'static str {
        "portmap_catalog"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "Lists the catalog: the built-in products encoded from their vendors' port documents, plus any `extra_catalogs` of the provider block, with their components, settings, features and every flow, cited to the vendor table row.",
            )
            .attribute(Attribute::optional(
                "product_ids",
                Type::set(Type::String),
                "Only list these products (by id). All products when null. (The filter is not called `products`, which is the output.)",
            ))
            .attribute(Attribute::optional(
                "settings",
                Type::map(Type::map(Type::String)),
                "Setting overrides per product id, such as `{ \"tachyon-5\" = { switch_port = 4100 } }`: the flows' ports are computed with them.",
            ))
            .attribute(Attribute::nested("products", ObjectNesting::List, product_attributes(), "The products, sorted by id.").make_computed())
            .attribute(
                Attribute::nested(
                    "flows",
                    ObjectNesting::List,
                    flow_attributes(),
                    "Every catalog flow, in product and catalog order: one object per protocol and port or range at the given settings (a series gives one object per port at its count).",
                )
                .make_computed(),
            ),
        )
    }

    fn validate(&self, ctx: &Context, config: &Value) -> Diagnostics {
        let (issues, _, _) = check(ctx, config);
        diagnostics(&issues)
    }

    fn read(&self, ctx: &Context, config: &Value) -> (Option<Value>, Diagnostics) {
        let (issues, filter, overrides) = check(ctx, config);
        let diags = diagnostics(&issues);
        if diags.has_errors() {
            return (None, diags);
        }
        let out = catalog_output(&ctx.catalog, filter.as_deref(), &overrides);
        read_state(
            self.type_name(),
            &self.schema(),
            config,
            vec![
                ("products", json(&out.products, "products")),
                ("flows", json(&out.flows, "flows")),
            ],
            diags,
        )
    }
}

type Overrides = BTreeMap<String, BTreeMap<String, String>>;

/// Validates the arguments; returns issues, the product filter and the
/// setting overrides (known values only).
fn check(ctx: &Context, config: &Value) -> (Vec<Issue>, Option<Vec<String>>, Overrides) {
    let mut issues = Vec::new();
    let catalog = &ctx.catalog;
    let ids = || catalog.products().iter().map(|p| p.id.as_str());
    let filter: Option<Vec<String>> =
        strings(config.get("product_ids")).map(|v| v.into_iter().flatten().collect());
    if let Some(f) = &filter {
        for id in f {
            if catalog.product(id).is_none() && ctx.configured {
                issues.push(Issue::error(
                    Path::root().attr("product_ids"),
                    format!("Unknown product \"{id}\""),
                    format!(
                        "The catalog has no product \"{id}\".{} Known products: {}.",
                        did_you_mean(id, ids()),
                        ids().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
    }
    let mut overrides = Overrides::new();
    if let Some(m) = config.get("settings").and_then(Value::as_map) {
        for (pid, settings) in m {
            let product_settings_path = Path::root().attr("settings").key(pid);
            let Some(product) = catalog.product(pid) else {
                if ctx.configured {
                    issues.push(Issue::error(
                        product_settings_path,
                        format!("Unknown product \"{pid}\""),
                        format!(
                            "The catalog has no product \"{pid}\".{}",
                            did_you_mean(pid, ids())
                        ),
                    ));
                }
                continue;
            };
            for (sid, v) in settings.as_map().into_iter().flatten() {
                let setting_path = product_settings_path.key(sid);
                let Some(text) = v.as_str() else { continue };
                match product.setting(sid) {
                    None => issues.push(Issue::error(
                        setting_path,
                        format!("Unknown setting \"{sid}\" for product {pid}"),
                        format!(
                            "{} Settings of {pid}: {}.",
                            did_you_mean(sid, product.settings.iter().map(|s| s.id.as_str()))
                                .trim_start(),
                            product
                                .settings
                                .iter()
                                .map(|s| s.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                        .trim_start()
                        .to_string(),
                    )),
                    Some(s) => match portmap_core::catalog::parse_setting(s, text) {
                        Ok(_) => {
                            overrides
                                .entry(pid.clone())
                                .or_default()
                                .insert(sid.clone(), text.to_string());
                        }
                        Err(e) => issues.push(Issue::error(
                            setting_path,
                            format!("Invalid value for setting \"{sid}\" of {pid}"),
                            e,
                        )),
                    },
                }
            }
        }
    }
    (issues, filter, overrides)
}
