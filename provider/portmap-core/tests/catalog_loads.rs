#![allow(clippy::unwrap_used, clippy::expect_used)]

use portmap_core::Catalog;

#[test]
fn builtin_catalog_loads_and_checks() {
    let c = match Catalog::builtin() {
        Ok(c) => c,
        Err(errs) => panic!(
            "built-in catalog is broken:\n{}",
            errs.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    };
    let ids: Vec<&str> = c.products().iter().map(|p| p.id.as_str()).collect();
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
