# severity: error
# summary: Invalid function argument
# detail: Functions read only the built-in catalog, never extra_catalogs, so that they give the same answer in Terraform and OpenTofu
# line: service_ports("acme-crm", "app")

# A product of extra_catalogs is not one functions know, configured or not
# (issue 22): Terraform never configures a provider for functions, OpenTofu
# does during plan and apply but not during validate.
provider "portmap" {
  extra_catalogs = [<<-EOT
# A product of your own, in the catalog file format (JSON Schema:
# docs/catalog.schema.json). Load it with
#   provider "portmap" { extra_catalogs = [file("acme-crm.yaml")] }
id: acme-crm
name: ACME CRM
vendor: ACME
version: "7.2"
description: ACME CRM application servers with a PostgreSQL database and browser users.
source:
  document: acme-crm-7.2-firewall.pdf
  title: ACME CRM 7.2 Installation Guide, chapter 4 "Network ports"
  tables:
    - id: ports
      title: Table 4-1 Ports
      rows: 3
components:
  - id: app
    name: CRM application server
    description: The CRM application server; several form a cluster.
  - id: db
    name: PostgreSQL
    description: The CRM database.
    role: database
  - id: browser
    name: Browsers
    description: Users' browsers.
    role: client
settings:
  - id: https_port
    name: HTTPS port
    description: The HTTPS port of the application server.
    kind: port
    default: 8443
    vendor_setting: server.properties https.port
flows:
  - id: browser-https
    from: browser
    to: app
    protocol: tcp
    ports: [{setting: https_port}]
    app_protocol: HTTPS
    purpose: Users to the CRM web interface
    citations: [{table: ports, row: 1}]
  - id: app-db
    from: app
    to: db
    protocol: tcp
    ports: [5432]
    app_protocol: PostgreSQL
    purpose: Application server to its database
    sensitive: database
    citations: [{table: ports, row: 2}]
  - id: cluster-cache
    from: app
    to: app
    protocol: [tcp, udp]
    ports: [{range: [7800, 7801]}]
    app_protocol: JGroups
    purpose: Cache replication between application servers
    citations: [{table: ports, row: 3}]
EOT
  ]
}
data "portmap_catalog" "x" {}
output "x" {
  value = provider::portmap::service_ports("acme-crm", "app")
}
