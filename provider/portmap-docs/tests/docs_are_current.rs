//! Fails when docs/ does not match what the schemas, examples, templates and
//! catalog generate. Fix with `cargo run -p portmap-docs`.

#[test]
fn generated_docs_are_current() {
    let root = portmap_docs::repo_root();
    let files = match portmap_docs::generate(&root) {
        Ok(f) => f,
        Err(e) => panic!("generating the docs failed: {e}"),
    };
    let stale = portmap_docs::stale(&root, &files);
    assert!(
        stale.is_empty(),
        "docs/ is stale; run `cargo run -p portmap-docs`:\n{}",
        stale.join("\n")
    );
}

#[test]
fn every_resource_data_source_and_function_has_an_example() {
    let root = portmap_docs::repo_root();
    let files = match portmap_docs::generate(&root) {
        Ok(f) => f,
        Err(e) => panic!("generating the docs failed: {e}"),
    };
    for (path, text) in &files {
        let p = path.to_string_lossy();
        if p.starts_with("docs/resources/")
            || p.starts_with("docs/data-sources/")
            || p.starts_with("docs/functions/")
        {
            assert!(
                text.contains("## Example Usage"),
                "{p} has no example: add examples/.../resource.tf, data-source.tf or function.tf"
            );
            assert!(
                !text.contains("() "),
                "{p} has an empty description somewhere"
            );
        }
    }
}
