use portmap_core::Catalog;
use portmap_core::catalog::{SOURCE_DOCUMENTS, check::check_product, parse_product};

fn builtin() -> &'static Catalog {
    match Catalog::builtin() {
        Ok(c) => c,
        Err(errs) => panic!(
            "built-in catalog is broken:\n{}",
            errs.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

#[test]
fn builtin_catalog_loads_and_checks() {
    let ids: Vec<&str> = builtin().products().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "1e-platform",
            "plossys",
            "spotfire",
            "tachyon-5",
            "tarantella"
        ]
    );
}

#[test]
fn every_builtin_product_cites_a_stored_document() {
    let expected = [
        ("1e-platform", "001_7cc0a8afb31eb551.txt"),
        ("plossys", "004_5e068018b195e0b7.txt"),
        ("spotfire", "002_38e233c3d784b099.txt"),
        ("tachyon-5", "000_bf0563822ff91805.txt"),
        ("tarantella", "003_a45857cbf3bda30e.txt"),
    ];
    for (id, doc) in expected {
        let p = builtin().product(id).unwrap();
        assert_eq!(p.source.document, doc);
        assert!(
            SOURCE_DOCUMENTS.iter().any(|(name, _)| *name == doc),
            "{doc} is not stored"
        );
    }
}

/// A small valid product to break in the tests below.
const VALID: &str = r#"
id: demo
name: Demo
vendor: Demo Inc.
version: "1"
description: A demo product.
source:
  document: demo.txt
  title: Ports
  tables: [{id: t, title: Table 1, rows: 2}]
components:
  - {id: app, name: App, description: The app.}
  - {id: db, name: DB, description: The database., role: database}
settings:
  - {id: app_port, name: App port, description: The port., kind: port, default: 8080}
  - {id: nodes, name: Nodes, description: Instances., kind: count, default: 1}
features:
  - {id: tls, name: TLS, description: TLS on.}
flows:
  - {id: a, from: app, to: db, protocol: tcp, ports: [5432], app_protocol: PG, purpose: DB access, citations: [{table: t, row: 1}]}
  - {id: b, from: db, to: app, protocol: tcp, ports: [{setting: app_port}], app_protocol: HTTP, purpose: Callbacks, condition: tls, citations: [{table: t, row: 2}]}
"#;

fn errors_of(yaml: &str) -> Vec<String> {
    match parse_product(yaml, "test.yaml") {
        Ok(p) => check_product(&p, "test.yaml")
            .into_iter()
            .map(|e| e.to_string())
            .collect(),
        Err(e) => vec![e.to_string()],
    }
}

#[test]
fn the_valid_demo_product_is_valid() {
    assert_eq!(errors_of(VALID), Vec::<String>::new());
}

#[test]
fn broken_products_are_refused_with_the_failing_entry() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "to: db, protocol",
            "to: dbx, protocol",
            "flows[0].to (a): unknown component \"dbx\"",
        ),
        (
            "default: 8080",
            "default: 70000",
            "settings[0].default: invalid default for \"app_port\"",
        ),
        (
            "default: 1}",
            "default: \"x\"}",
            "settings[1].default: invalid default for \"nodes\"",
        ),
        (
            "{id: db, name: DB",
            "{id: app, name: DB",
            "components[1].id: duplicate component id \"app\"",
        ),
        (
            "{id: b, from",
            "{id: a, from",
            "flows[1].id (a): duplicate flow id \"a\"",
        ),
        (
            "{table: t, row: 2}",
            "{table: t, row: 3}",
            "table \"t\" has rows 1-2, not 3",
        ),
        (
            "{table: t, row: 1}",
            "{table: x, row: 1}",
            "unknown table \"x\"",
        ),
        (
            "condition: tls",
            "condition: ssl",
            "flows[1].condition (b): unknown feature \"ssl\"",
        ),
        (
            "{setting: app_port}",
            "{setting: nodes}",
            "setting \"nodes\" is a Count setting, Port expected",
        ),
        (
            "citations: [{table: t, row: 1}]}",
            "citations: []}",
            "every flow cites at least one vendor table row",
        ),
        (
            "id: demo",
            "id: Demo",
            "product id \"Demo\" must be lower-case",
        ),
    ];
    for (from, to, expected) in cases {
        assert!(VALID.contains(from), "test bug: {from}");
        let errs = errors_of(&VALID.replacen(from, to, 1));
        assert!(
            errs.iter().any(|e| e.contains(expected)),
            "breaking {from:?} → {to:?}: expected {expected:?} in {errs:#?}"
        );
    }
}

#[test]
fn unknown_fields_and_bad_yaml_name_the_line() {
    let e = errors_of(&VALID.replace("vendor: Demo Inc.", "vendor: Demo Inc.\nvendr: typo"));
    assert!(e[0].contains("unknown field `vendr`"), "{e:?}");
    assert!(e[0].contains("line "), "{e:?}");
    let e = errors_of("id: [");
    assert!(e[0].starts_with("test.yaml: line "), "{e:?}");
    let e = errors_of(&VALID.replace("vendor: Demo Inc.", "vendor: Demo Inc.\nvendor: Other"));
    assert!(e[0].contains("duplicate key \"vendor\""), "{e:?}");
}

#[test]
fn user_products_cannot_shadow_builtin_ones() {
    let p = parse_product(&VALID.replace("id: demo", "id: spotfire"), "mine.yaml").unwrap();
    let errs = builtin()
        .with_extra(vec![("mine.yaml".into(), p)])
        .err()
        .unwrap();
    assert!(
        errs.iter().any(|e| e
            .message
            .contains("product id \"spotfire\" is already defined by built-in product spotfire")),
        "{errs:?}"
    );
    let ok = parse_product(VALID, "mine.yaml").unwrap();
    let c = builtin()
        .with_extra(vec![("mine.yaml".into(), ok)])
        .unwrap();
    assert!(c.component("demo/app").is_some());
    assert_eq!(c.products().len(), 6);
}

#[test]
fn the_json_schema_describes_the_format() {
    let schema: serde_json::Value =
        serde_json::from_str(&portmap_core::catalog::json_schema()).unwrap();
    assert_eq!(schema["title"], "Product");
    for field in ["id", "name", "vendor", "version", "description", "source"] {
        assert!(
            schema["required"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == field),
            "{field} not required"
        );
    }
    assert!(schema["$defs"]["PortExpr"].is_object());
    assert!(schema["$defs"]["Citation"].is_object());
}
