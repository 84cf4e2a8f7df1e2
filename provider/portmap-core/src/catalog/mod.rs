//! The catalog: products, their components, settings, features and flows.
//!
//! The built-in catalog is five YAML files embedded at compile time, one per
//! vendor document. Users may add products of their own in the same format
//! (YAML or JSON); they are checked by the same rules.

pub mod check;
pub mod model;
pub mod values;

use std::sync::OnceLock;

pub use model::*;
pub use values::{SettingValue, Settings, parse_setting};

/// The built-in catalog files: (file name, contents).
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "1e-platform.yaml",
        include_str!("../../catalog/1e-platform.yaml"),
    ),
    ("plossys.yaml", include_str!("../../catalog/plossys.yaml")),
    ("spotfire.yaml", include_str!("../../catalog/spotfire.yaml")),
    (
        "tachyon-5.yaml",
        include_str!("../../catalog/tachyon-5.yaml"),
    ),
    (
        "tarantella.yaml",
        include_str!("../../catalog/tarantella.yaml"),
    ),
];

/// The vendor documents the built-in catalog cites: (file name, contents).
pub const SOURCE_DOCUMENTS: &[(&str, &str)] = &[
    (
        "000_bf0563822ff91805.txt",
        include_str!("../../catalog/sources/000_bf0563822ff91805.txt"),
    ),
    (
        "001_7cc0a8afb31eb551.txt",
        include_str!("../../catalog/sources/001_7cc0a8afb31eb551.txt"),
    ),
    (
        "002_38e233c3d784b099.txt",
        include_str!("../../catalog/sources/002_38e233c3d784b099.txt"),
    ),
    (
        "003_a45857cbf3bda30e.txt",
        include_str!("../../catalog/sources/003_a45857cbf3bda30e.txt"),
    ),
    (
        "004_5e068018b195e0b7.txt",
        include_str!("../../catalog/sources/004_5e068018b195e0b7.txt"),
    ),
];

/// A problem in a catalog file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// Which file or input (`tachyon-5.yaml`, `extra_catalogs[0]`).
    pub origin: String,
    /// Where inside it: `flows[3].to` or `line 4, column 7`.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}: {}", self.origin, self.message)
        } else {
            write!(f, "{}: {}: {}", self.origin, self.location, self.message)
        }
    }
}

/// A set of products, sorted by id.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    products: Vec<Product>,
}

static BUILTIN: OnceLock<Result<Catalog, Vec<CatalogError>>> = OnceLock::new();

impl Catalog {
    /// The built-in catalog, parsed and checked on first use. An error here
    /// means a broken build; the tests make sure it never ships.
    pub fn builtin() -> Result<&'static Catalog, &'static [CatalogError]> {
        match BUILTIN.get_or_init(load_builtin) {
            Ok(c) => Ok(c),
            Err(e) => Err(e.as_slice()),
        }
    }

    /// A catalog of the given products, checked.
    pub fn from_products(
        mut products: Vec<Product>,
        origins: &[String],
    ) -> Result<Catalog, Vec<CatalogError>> {
        let mut errors = Vec::new();
        for (i, p) in products.iter().enumerate() {
            let origin = origins.get(i).cloned().unwrap_or_else(|| p.id.clone());
            errors.extend(check::check_product(p, &origin));
        }
        let mut seen = std::collections::BTreeMap::new();
        for (i, p) in products.iter().enumerate() {
            if let Some(first) = seen.insert(p.id.clone(), i) {
                let origin = origins.get(i).cloned().unwrap_or_else(|| p.id.clone());
                let other = origins.get(first).cloned().unwrap_or_else(|| p.id.clone());
                errors.push(CatalogError {
                    origin,
                    location: "id".into(),
                    message: format!("product id \"{}\" is already defined by {other}", p.id),
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        products.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Catalog { products })
    }

    /// This catalog plus the user's products. A user product may not reuse a
    /// built-in product id.
    pub fn with_extra(&self, extra: Vec<(String, Product)>) -> Result<Catalog, Vec<CatalogError>> {
        let mut origins: Vec<String> = self
            .products
            .iter()
            .map(|p| format!("built-in product {}", p.id))
            .collect();
        let mut products = self.products.clone();
        for (origin, p) in extra {
            origins.push(origin);
            products.push(p);
        }
        Catalog::from_products(products, &origins)
    }

    /// The products, sorted by id.
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// A product by id.
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products
            .binary_search_by(|p| p.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.products[i])
    }

    /// A component by full id (`product/component`).
    pub fn component(&self, full_id: &str) -> Option<(&Product, &Component)> {
        let (p, c) = full_id.split_once('/')?;
        let product = self.product(p)?;
        let component = product.component(c)?;
        Some((product, component))
    }

    /// Every full component id, sorted.
    pub fn component_ids(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .products
            .iter()
            .flat_map(|p| {
                p.components
                    .iter()
                    .map(move |c| format!("{}/{}", p.id, c.id))
            })
            .collect();
        v.sort();
        v
    }
}

impl Product {
    /// A component by id within this product.
    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }

    /// A setting by id.
    pub fn setting(&self, id: &str) -> Option<&Setting> {
        self.settings.iter().find(|s| s.id == id)
    }

    /// A feature by id.
    pub fn feature(&self, id: &str) -> Option<&Feature> {
        self.features.iter().find(|f| f.id == id)
    }

    /// A source table by id.
    pub fn table(&self, id: &str) -> Option<&SourceTable> {
        self.source.tables.iter().find(|t| t.id == id)
    }

    /// The components a placed component stands for: itself, or the members
    /// of a bundle.
    pub fn expand(&self, component: &str) -> Vec<&str> {
        match self.component(component) {
            Some(c) if !c.includes.is_empty() => c.includes.iter().map(String::as_str).collect(),
            Some(c) => vec![c.id.as_str()],
            None => Vec::new(),
        }
    }

    /// Human text for a flow's citations:
    /// `004_5e068018b195e0b7.txt, "Cluster Installation" row 3`.
    pub fn citation_text(&self, flow: &Flow) -> String {
        let mut parts = Vec::new();
        for c in &flow.citations {
            let title = self
                .table(&c.table)
                .map(|t| t.title.as_str())
                .unwrap_or(c.table.as_str());
            parts.push(format!("\"{title}\" row {}", c.row));
        }
        format!("{}, {}", self.source.document, parts.join("; "))
    }
}

/// Parses one product from YAML or JSON text. Errors carry the line and
/// column.
pub fn parse_product(text: &str, origin: &str) -> Result<Product, CatalogError> {
    crate::yaml::check_no_duplicate_keys(text)
        .and_then(|()| serde_norway::from_str::<Product>(text))
        .map_err(|e| {
            let location = e
                .location()
                .map(|l| format!("line {}, column {}", l.line(), l.column()))
                .unwrap_or_default();
            let message = e.to_string();
            // serde_norway appends " at line X column Y"; the location says it already.
            let message = match message.find(" at line ") {
                Some(i) if !location.is_empty() => message[..i].to_string(),
                _ => message,
            };
            CatalogError {
                origin: origin.to_string(),
                location,
                message,
            }
        })
}

include!(concat!(env!("OUT_DIR"), "/builtin_catalog_json.rs"));

/// A built-in product from the JSON form build.rs made of its YAML file
/// (about twenty times faster to parse), or from the YAML itself when there
/// is no JSON form or it does not parse, so errors keep their YAML line and
/// column. The tests check both forms give the same product.
fn parse_builtin(name: &str, yaml: &str) -> Result<Product, CatalogError> {
    BUILTIN_JSON
        .iter()
        .find(|(n, json)| *n == name && !json.is_empty())
        .and_then(|(_, json)| serde_json::from_str::<Product>(json).ok())
        .map_or_else(|| parse_product(yaml, name), Ok)
}

fn load_builtin() -> Result<Catalog, Vec<CatalogError>> {
    let mut products = Vec::new();
    let mut origins = Vec::new();
    let mut errors = Vec::new();
    for (name, text) in BUILTIN_FILES {
        match parse_builtin(name, text) {
            Ok(p) => {
                products.push(p);
                origins.push((*name).to_string());
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Catalog::from_products(products, &origins)
}

/// The JSON Schema of the catalog file format (one product per file).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Product);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_form_of_each_builtin_file_is_its_yaml() {
        assert_eq!(BUILTIN_JSON.len(), BUILTIN_FILES.len());
        for (name, yaml) in BUILTIN_FILES {
            let (_, json) = BUILTIN_JSON
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("no JSON form of {name}"));
            let from_json: Product = serde_json::from_str(json)
                .unwrap_or_else(|e| panic!("the JSON form of {name} does not parse: {e}"));
            let from_yaml = parse_product(yaml, name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(from_json, from_yaml, "{name}");
        }
    }

    #[test]
    fn a_builtin_file_without_json_form_is_parsed_from_yaml() {
        let (name, yaml) = BUILTIN_FILES[0];
        assert_eq!(
            parse_builtin("not-a-builtin.yaml", yaml),
            parse_product(yaml, "not-a-builtin.yaml")
        );
        assert!(
            parse_builtin(name, "id: [").is_ok(),
            "the JSON form is used"
        );
        let err = parse_builtin("broken.yaml", "id: [").unwrap_err();
        assert_eq!(err.origin, "broken.yaml");
        assert!(err.location.starts_with("line "), "{err}");
    }
}
