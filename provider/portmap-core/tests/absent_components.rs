//! Components deliberately absent (`absent_components` of `products[id]` and
//! of an installation): they silence exactly the "is not placed" warnings
//! of their own installation, are shown in the change request, and are
//! checked against the installation's product and placement.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portmap_core::issue::Severity;
use portmap_core::report::{RequestInfo, change_request_markdown};
use portmap_core::topology::Topology;
use portmap_core::{Catalog, Issue, compute};

fn catalog() -> &'static Catalog {
    Catalog::builtin().expect("built-in catalog")
}

fn topology(yaml: &str) -> Topology {
    serde_norway::from_str(yaml).expect("topology YAML")
}

/// Every issue of a topology, whether the computation succeeds or not.
fn issues(yaml: &str) -> Vec<Issue> {
    match compute(&topology(yaml), catalog()) {
        Ok(c) => c.issues,
        Err(e) => e,
    }
}

/// The summaries of the issues of one severity, with their paths.
fn summaries(yaml: &str, severity: Severity) -> Vec<(String, String)> {
    issues(yaml)
        .into_iter()
        .filter(|i| i.severity == severity)
        .map(|i| (i.path.to_string(), i.summary))
        .collect()
}

/// An air-gapped 1E platform: no node runs 1E Cloud Services (flow
/// master-cloud, "1E Servers" rows of the 1E platform document) nor an SMTP
/// server (flow master-smtp).
const AIR_GAPPED: &str = r#"
nodes:
  master: { components: [1e-platform/master-stack], cidrs: [10.40.1.10] }
  response: { components: [1e-platform/response-stack], cidrs: [10.40.1.20] }
  sql: { components: [1e-platform/sql-server], cidrs: [10.40.2.10] }
  clients: { components: [1e-platform/client], cidrs: [10.50.0.0/16], kind: group }
  consoles: { components: [1e-platform/browser], cidrs: [10.30.5.0/24], kind: group }
"#;

const CLOUD_WARNING: &str =
    "1e-platform/cloud-services is not placed on any node: 1 flow cannot be placed";
const SMTP_WARNING: &str =
    "1e-platform/smtp-relay is not placed on any node: 1 flow cannot be placed";

/// Which "is not placed" warnings remain, for configurations of the same
/// air-gapped platform.
#[test]
fn absent_components_silence_exactly_their_own_warnings() {
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "nothing declared absent",
            "",
            &[CLOUD_WARNING, SMTP_WARNING],
        ),
        (
            "cloud services absent",
            "products: { 1e-platform: { absent_components: [1e-platform/cloud-services] } }",
            &[SMTP_WARNING],
        ),
        (
            "both absent",
            "products: { 1e-platform: { absent_components: [1e-platform/cloud-services, 1e-platform/smtp-relay] } }",
            &[],
        ),
        (
            "absent in an installation",
            "installations: { prod: { product: 1e-platform, nodes: [master, response, sql, clients, consoles], absent_components: [1e-platform/smtp-relay] } }",
            &[CLOUD_WARNING],
        ),
    ];
    for (name, config, expected) in cases {
        let yaml = format!("{AIR_GAPPED}{config}\n");
        let not_placed: Vec<String> = summaries(&yaml, Severity::Warning)
            .into_iter()
            .map(|(_, summary)| summary)
            .filter(|s| s.contains("is not placed"))
            .collect();
        assert_eq!(not_placed, expected, "{name}");
    }
}

/// The flows to an absent component are left out of `unresolved`, like an
/// optional party's; every other flow is computed as before.
#[test]
fn absent_components_change_no_flow() {
    let plain = compute(&topology(AIR_GAPPED), catalog()).unwrap();
    let yaml = format!(
        "{AIR_GAPPED}products: {{ 1e-platform: {{ absent_components: [1e-platform/cloud-services] }} }}\n"
    );
    let absent = compute(&topology(&yaml), catalog()).unwrap();
    let keys = |c: &portmap_core::Computation<'_>| -> Vec<String> {
        c.flows.iter().map(|f| f.key.to_string()).collect()
    };
    assert_eq!(keys(&plain), keys(&absent));
    let unresolved = |c: &portmap_core::Computation<'_>| -> Vec<String> {
        c.unresolved.iter().map(|u| u.key.clone()).collect()
    };
    assert_eq!(
        unresolved(&plain),
        ["1e-platform:master-cloud", "1e-platform:master-smtp"]
    );
    assert_eq!(unresolved(&absent), ["1e-platform:master-smtp"]);
}

/// Two installations of one product: only the one that declares the
/// component absent stops warning about it.
#[test]
fn absence_belongs_to_one_installation() {
    let yaml = r#"
nodes:
  prod-master: { components: [1e-platform/master-stack], cidrs: [10.1.0.10] }
  test-master: { components: [1e-platform/master-stack], cidrs: [10.2.0.10] }
installations:
  prod: { product: 1e-platform, nodes: [prod-master], absent_components: [1e-platform/cloud-services] }
  test: { product: 1e-platform, nodes: [test-master] }
"#;
    let warning = issues(yaml)
        .into_iter()
        .find(|i| {
            i.summary
                .starts_with("1e-platform/cloud-services is not placed")
        })
        .expect("the test installation still warns");
    assert!(
        warning.detail.contains("- 1e-platform@test:master-cloud "),
        "{}",
        warning.detail
    );
    assert!(
        !warning.detail.contains("1e-platform@prod:"),
        "{}",
        warning.detail
    );
}

/// The errors and warnings of `absent_components`, each at its path.
#[test]
fn absent_components_are_checked() {
    let cases: [(&str, &str, Severity, &str, &str); 6] = [
        (
            "a typo gets the nearest component",
            "products: { 1e-platform: { absent_components: [1e-platform/cloud-service] } }",
            Severity::Error,
            "products[\"1e-platform\"].absent_components",
            "\"1e-platform/cloud-service\" is not a component of 1e-platform",
        ),
        (
            "another product's component",
            "products: { 1e-platform: { absent_components: [tachyon-5/cloud-services] } }",
            Severity::Error,
            "products[\"1e-platform\"].absent_components",
            "\"tachyon-5/cloud-services\" is not a component of 1e-platform",
        ),
        (
            "a component id without its product",
            "installations: { prod: { product: 1e-platform, nodes: [master], absent_components: [cloud-services] } }",
            Severity::Error,
            "installations[\"prod\"].absent_components",
            "\"cloud-services\" is not a component of 1e-platform",
        ),
        (
            "a node override",
            "installations: { prod: { product: 1e-platform, nodes: [master], node_overrides: { master: { absent_components: [1e-platform/cloud-services] } } } }",
            Severity::Error,
            "installations[\"prod\"].node_overrides[\"master\"].absent_components",
            "absent_components in the override of node \"master\"",
        ),
        (
            "absent but placed",
            "products: { 1e-platform: { absent_components: [1e-platform/sql-master] } }",
            Severity::Warning,
            "products[\"1e-platform\"].absent_components",
            "1e-platform/sql-master is declared absent but is placed",
        ),
        (
            "a bundle whose member is placed",
            "products: { 1e-platform: { absent_components: [1e-platform/server] } }",
            Severity::Warning,
            "products[\"1e-platform\"].absent_components",
            "1e-platform/server is declared absent but is placed",
        ),
    ];
    for (name, config, severity, path, summary) in cases {
        let yaml = format!("{AIR_GAPPED}{config}\n");
        let found = summaries(&yaml, severity);
        assert!(
            found.contains(&(path.to_string(), summary.to_string())),
            "{name}: {found:#?}"
        );
    }
    let typo = issues(&format!(
        "{AIR_GAPPED}products: {{ 1e-platform: {{ absent_components: [1e-platform/cloud-service] }} }}\n"
    ))
    .into_iter()
    .find(|i| i.is_error())
    .expect("error");
    assert!(
        typo.detail
            .contains("Did you mean \"1e-platform/cloud-services\"?"),
        "{}",
        typo.detail
    );
}

/// The change request's header lists the absent components of each
/// installation, by name and id, and says nothing when there are none.
#[test]
fn the_change_request_shows_absent_components() {
    let info = RequestInfo {
        topology: "air-gapped.yaml",
        version: "test",
        generated_at: None,
    };
    let yaml = format!(
        "{AIR_GAPPED}products: {{ 1e-platform: {{ absent_components: [1e-platform/cloud-services, 1e-platform/smtp-relay] }} }}\n"
    );
    let c = compute(&topology(&yaml), catalog()).unwrap();
    let markdown = change_request_markdown(&c, &info);
    assert!(
        markdown.contains(
            "Deliberately absent: 1E Cloud Services (`1e-platform/cloud-services`), SMTP server (`1e-platform/smtp-relay`).\n"
        ),
        "{markdown}"
    );
    let plain = compute(&topology(AIR_GAPPED), catalog()).unwrap();
    assert!(!change_request_markdown(&plain, &info).contains("Deliberately absent"));
}
