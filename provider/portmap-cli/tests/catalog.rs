//! `portmap catalog`: the table and Markdown formats show, per product,
//! the components, settings with their defaults, features with their
//! defaults and groups, and the feature groups with their exclusivity, as
//! the help promises; CSV stays the flows alone. The expected rows are the
//! Spotfire catalog's (provider/portmap-core/catalog/spotfire.yaml), read by
//! hand.

mod common;

use common::portmap;

/// Lines the Markdown of `portmap catalog --product spotfire` holds, in
/// this order.
const SPOTFIRE_MARKDOWN_LINES: &[&str] = &[
    "# Catalog",
    "## TIBCO Spotfire Server (`spotfire`): TIBCO, Spotfire Server and Environment (Installation and Administration)",
    "### Components",
    "| spotfire/web-player | Web Player service | server |  | yes |",
    "### Settings",
    "| http_port | Public HTTP port | port | 80 | server.xml, the HTTP Connector's port parameter |",
    "| data_connector_ports | Data connector ports | ports | (empty) |  |",
    "### Features",
    "| http-connector | HTTP connector | yes |  | connectors | no |",
    "| ldap | LDAP authentication | no | when spotfire/ldap-server is placed | ldap-protocol | yes |",
    "### Feature groups",
    "| connectors | Client connectors | no | http-connector, https-connector |  | Which connectors of Spotfire Server clients use (either or both). |",
    "| database-type | Spotfire database type | yes | database-oracle, database-sqlserver, database-postgresql | spotfire/database | The database product of the Spotfire database. |",
    "| ldap-protocol | LDAP protocol | yes | ldap, ldaps |  | LDAP (over TLS) on the LDAP port, or LDAPS. |",
    "## Flows",
    "| spotfire | ldaps | spotfire/server | spotfire/ldap-server | tcp | 636 | LDAPS | ldaps | yes | 002_38e233c3d784b099.txt, \"Outbound ports on the server\" row 2 |",
];

#[test]
fn markdown_shows_components_settings_features_and_groups_then_flows() {
    let run = portmap(&["catalog", "--product", "spotfire", "--format", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let mut from = 0;
    for expected in SPOTFIRE_MARKDOWN_LINES {
        match lines[from..].iter().position(|l| l == expected) {
            Some(i) => from += i + 1,
            None => panic!("missing (or out of order): {expected}\n\n{}", run.stdout),
        }
    }
}

#[test]
fn the_table_format_has_the_same_sections() {
    let run = portmap(&["catalog", "--product", "spotfire"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let headings: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| {
            [
                "Components",
                "Settings",
                "Features",
                "Feature groups",
                "Flows",
            ]
            .contains(l)
        })
        .collect();
    assert_eq!(
        headings,
        [
            "Components",
            "Settings",
            "Features",
            "Feature groups",
            "Flows"
        ]
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == [
                    "ldap-protocol",
                    "LDAP",
                    "protocol",
                    "yes",
                    "ldap,",
                    "ldaps",
                    "LDAP",
                    "(over",
                    "TLS)",
                    "on",
                    "the",
                    "LDAP",
                    "port,",
                    "or",
                    "LDAPS."
                ]),
        "{}",
        run.stdout
    );
}

#[test]
fn csv_is_the_flows_alone() {
    let run = portmap(&["catalog", "--product", "spotfire", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.lines().next(),
        Some(
            "Product,Flow,From,To,Protocol,Ports,Application protocol,Condition,Rule,Vendor reference"
        )
    );
    assert!(
        run.stdout
            .lines()
            .skip(1)
            .all(|l| l.starts_with("spotfire,"))
    );
}

#[test]
fn json_lists_the_groups_of_each_product() {
    let run = portmap(&["catalog", "--product", "spotfire", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        v["products"][0]["groups"][1],
        serde_json::json!({
            "id": "database-type",
            "name": "Spotfire database type",
            "description": "The database product of the Spotfire database.",
            "exclusive": true,
            "required_with": "spotfire/database",
            "features": ["database-oracle", "database-sqlserver", "database-postgresql"]
        })
    );
}
