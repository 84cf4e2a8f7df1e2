//! The fuzz entry points. Each takes arbitrary bytes and drives one untrusted
//! input path of portmap the way production code does; it returns normally
//! for every input, valid or not, and panics only when an invariant breaks
//! (a panic is what the fuzzer reports as a crash).
//!
//! - [`msgpack_decode`]: the msgpack `DynamicValue` decoder (what Terraform
//!   sends) with a few schema types, including the `portmap_flows` input
//!   type; decoded values must re-encode and round-trip.
//! - [`topology_check`]: bytes decoded with the type of the `portmap_flows`
//!   input attributes (`nodes`, `products`), completed to a full
//!   configuration, then the provider's topology decoding, the core's check,
//!   resolution, flows and rules, and the provider's own validate and read
//!   (whose state must conform to the schema).
//! - [`catalog_load`]: bytes as a user catalog document (`extra_catalogs`):
//!   `parse_product`, the catalog checks, `Catalog::with_extra`, and, for an
//!   accepted product, flows and rules of a topology that places each of its
//!   components.
//! - [`topology_file`]: bytes as a CLI topology file (YAML or JSON), then the
//!   same check and computation as `portmap flows`.
//!
//! The libFuzzer targets (`/fuzz`, for cargo-fuzz) wrap these functions, and
//! this crate's test (`tests/replay.rs`) runs every committed corpus and
//! regression input through the same functions in the ordinary test suite.

use std::sync::OnceLock;

use portmap_core::Catalog;
use portmap_core::output::FlowsOutput;
use portmap_core::topology::{CheckOptions, Node, NodeKind, Topology, check};
use terraform_provider_portmap::PortmapProvider;
use tfplugin::server::Provider;
use tfplugin::value::{Type, Value, decode_msgpack, encode_msgpack};

/// A fuzz entry point.
pub type Target = fn(&[u8]);

/// The fuzz targets, by name (the names of `fuzz_targets/*.rs` and of the
/// corpus directories).
pub const TARGETS: [(&str, Target); 4] = [
    ("msgpack_decode", msgpack_decode),
    ("topology_check", topology_check),
    ("catalog_load", catalog_load),
    ("topology_file", topology_file),
];

fn provider() -> &'static PortmapProvider {
    static P: OnceLock<PortmapProvider> = OnceLock::new();
    P.get_or_init(PortmapProvider::new)
}

fn builtin() -> &'static Catalog {
    match Catalog::builtin() {
        Ok(c) => c,
        Err(e) => panic!("the built-in catalog is broken: {e:?}"),
    }
}

/// The configuration type of a data source of the real provider.
pub fn data_source_type(name: &str) -> Type {
    static SCHEMA: OnceLock<tfplugin::schema::ProviderSchema> = OnceLock::new();
    let schema = SCHEMA.get_or_init(|| provider().schema());
    match schema.data_sources.get(name) {
        Some(s) => s.block.value_type(),
        None => panic!("the provider has no data source {name}"),
    }
}

/// The type of the input attributes (`nodes`, `products`, `installations`,
/// `accepted_risks`) of `portmap_flows`
/// and the cloud-shape data sources: what the fuzz inputs of
/// [`topology_check`] are encoded with. Their computed attributes change as
/// the provider grows; the inputs stay valid.
pub fn flows_input_type() -> Type {
    tfplugin::schema::Block::new("")
        .attributes(terraform_provider_portmap::fuzzing::attributes())
        .attribute(terraform_provider_portmap::fuzzing::accepted_risks())
        .value_type()
}

/// A full `portmap_flows` configuration (as Terraform sends it: every
/// attribute present, computed ones null) from decoded input attributes.
fn flows_config(input: &Value) -> Value {
    let full = data_source_type("portmap_flows");
    let attrs = full
        .attribute_types()
        .map(|a| a.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    Value::Object(
        attrs
            .into_iter()
            .map(|name| {
                let v = input.get(&name).cloned().unwrap_or(Value::Null);
                (name, v)
            })
            .collect(),
    )
}

/// The schema types [`msgpack_decode`] picks from with its first byte.
pub fn msgpack_types() -> &'static [Type] {
    static TYPES: OnceLock<Vec<Type>> = OnceLock::new();
    TYPES.get_or_init(|| {
        vec![
            flows_input_type(),
            data_source_type("portmap_catalog"),
            provider().schema().provider.block.value_type(),
            Type::Dynamic,
            Type::object([
                ("b", Type::Bool),
                ("n", Type::Number),
                ("s", Type::String),
                ("l", Type::list(Type::Number)),
                ("st", Type::set(Type::String)),
                ("m", Type::map(Type::Dynamic)),
                ("t", Type::tuple([Type::String, Type::Number, Type::Bool])),
                (
                    "o",
                    Type::object_with_optional(
                        [("x", Type::String), ("y", Type::list(Type::Dynamic))],
                        ["y"],
                    ),
                ),
            ]),
            Type::list(Type::map(Type::set(Type::Number))),
        ]
    })
}

fn has_dynamic(ty: &Type) -> bool {
    match ty {
        Type::Dynamic => true,
        Type::List(t) | Type::Set(t) | Type::Map(t) => has_dynamic(t),
        Type::Object { attrs, .. } => attrs.values().any(has_dynamic),
        Type::Tuple(ts) => ts.iter().any(has_dynamic),
        _ => false,
    }
}

/// First byte: which of [`msgpack_types`]; the rest: the msgpack payload.
/// A decoded value must encode again with its type (always, for types
/// without `dynamic`; a dynamic value may hold collections whose elements
/// have different types, which have no type to be sent with) and decode
/// back to itself.
pub fn msgpack_decode(data: &[u8]) {
    let Some((&selector, payload)) = data.split_first() else {
        return;
    };
    let types = msgpack_types();
    let ty = &types[usize::from(selector) % types.len()];
    let Ok(value) = decode_msgpack(payload, ty) else {
        return;
    };
    match encode_msgpack(&value, ty) {
        Ok(bytes) => match decode_msgpack(&bytes, ty) {
            Ok(again) => assert_eq!(again, value, "the value changed in a round trip"),
            Err(e) => panic!("a re-encoded value does not decode: {e}"),
        },
        Err(e) => assert!(
            has_dynamic(ty),
            "a decoded value does not encode with its own type: {e}"
        ),
    }
}

/// Bytes as a `portmap_flows` configuration, through the provider's
/// decoding, the core, and the provider's validate and read.
pub fn topology_check(data: &[u8]) {
    let Ok(input) = decode_msgpack(data, &flows_input_type()) else {
        return;
    };
    let config = flows_config(&input);
    let ty = data_source_type("portmap_flows");
    if let Err(e) = encode_msgpack(&config, &ty) {
        panic!("the configuration does not encode with the schema type: {e}");
    }
    let (topology, unknowns, _) = terraform_provider_portmap::fuzzing::decode(&config);
    for strict_products in [false, true] {
        let opts = CheckOptions {
            unknowns: unknowns.clone(),
            strict_products,
        };
        let _ = check(&topology, builtin(), &opts);
    }
    let p = provider();
    let _ = p.validate_data_source_config("portmap_flows", &config);
    if !config.is_wholly_known() {
        // Terraform never reads a data source with unknown values.
        return;
    }
    compute(&topology, builtin());
    let (state, diags) = p.read_data_source("portmap_flows", &config);
    match state {
        Some(state) => {
            if let Err(e) = encode_msgpack(&state, &ty) {
                panic!("portmap_flows produced a state that does not match its schema: {e}");
            }
        }
        None => assert!(diags.has_errors(), "no state and no error"),
    }
}

fn compute(topology: &Topology, catalog: &Catalog) {
    if let Ok(comp) = portmap_core::compute(topology, catalog) {
        let out = FlowsOutput::new(&comp);
        if let Err(e) = serde_json::to_string(&out) {
            panic!("the flows output does not serialize: {e}");
        }
    }
}

/// Bytes as a user catalog document, through parsing, the checks, the
/// catalog and a computation that places every component of the product.
pub fn catalog_load(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(product) = portmap_core::catalog::parse_product(&text, "fuzz") else {
        return;
    };
    let errors = portmap_core::catalog::check::check_product(&product, "fuzz");
    // The product alone: accepted exactly when its checks pass.
    let alone = Catalog::from_products(vec![product.clone()], &["fuzz".to_owned()]);
    let catalog = match (alone, errors.is_empty()) {
        (Ok(c), true) => c,
        (Err(_), false) => return,
        (Ok(_), false) => panic!("the catalog accepted a product its checks refuse: {errors:?}"),
        (Err(e), true) => panic!("the catalog refused a product its checks accept: {e:?}"),
    };
    // Beside the built-in products (what `extra_catalogs` does): refused only
    // for an id the built-in catalog already has.
    let builtin_id = builtin().product(&product.id).is_some();
    match builtin().with_extra(vec![("fuzz".to_owned(), product.clone())]) {
        Ok(_) => assert!(!builtin_id, "a user product shadows a built-in one"),
        Err(e) => assert!(builtin_id, "with_extra refused a valid product: {e:?}"),
    }
    // One node per component (bundles included), plus one group node running
    // everything, so every flow of the product has both ends placed.
    let mut topology = Topology::default();
    let all: Vec<String> = product
        .components
        .iter()
        .map(|c| format!("{}/{}", product.id, c.id))
        .collect();
    for (i, id) in all.iter().enumerate().take(64) {
        topology.nodes.insert(
            format!("n{i}"),
            Node {
                components: vec![id.clone()],
                cidrs: vec![format!("10.{}.{}.0/24", i / 256, i % 256)],
                ..Node::default()
            },
        );
    }
    topology.nodes.insert(
        "everything".into(),
        Node {
            components: all,
            cidrs: vec!["192.168.0.0/16".into()],
            kind: NodeKind::Group,
            ..Node::default()
        },
    );
    let _ = check(&topology, &catalog, &CheckOptions::default());
    compute(&topology, &catalog);
}

/// Bytes as a CLI topology file, through the parser and what `portmap flows`
/// does with it.
pub fn topology_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(file) = portmap_core::topology_file::parse(&text, "fuzz.yaml") else {
        return;
    };
    let issues = check(&file.topology, builtin(), &CheckOptions::default());
    let located = file.locate(&issues);
    assert_eq!(located.len(), issues.len());
    compute(&file.topology, builtin());
}

/// Replays a directory of inputs through a target; returns how many ran.
/// For tests (the corpus replay) and the regression inputs.
pub fn replay_dir(dir: &std::path::Path, target: Target) -> std::io::Result<usize> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    for path in &entries {
        let data = std::fs::read(path)?;
        let outcome = std::panic::catch_unwind(|| target(&data));
        if let Err(panic) = outcome {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            panic!("{} fails: {message}", path.display());
        }
    }
    Ok(entries.len())
}
