# Tarantella servers and application servers in one VPC network, targeted
# by their network tags, and client devices on the internet.
data "portmap_gcp_firewall_rules" "this" {
  nodes = {
    tarantella = { components = ["tarantella/server"], cidrs = ["10.40.1.10"], ref = "tarantella", exposure = "internet-facing" }
    apps       = { components = ["tarantella/application-server"], cidrs = ["10.40.2.0/24"], kind = "group", ref = "tarantella-apps" }
    clients    = { components = ["tarantella/client"], cidrs = ["0.0.0.0/0"], kind = "group", exposure = "untrusted" }
  }
  # Encrypted client connections only, and no printing through the
  # internet-facing Tarantella server (LPD on 515 is cleartext).
  products = {
    tarantella = { features = ["security-pack"], disabled_features = ["webtop-http", "standard-connections", "printing"] }
  }
  name_prefix = "sgd-prod"
  # Stop the plan on risky rules instead of warning.
  fail_on_risk = true
}

# The rules of the instances tagged "tarantella".
output "tarantella_rules" {
  value = {
    for k, r in data.portmap_gcp_firewall_rules.this.rules : r.name => r.allow
    if contains(coalesce(r.target_tags, []), "tarantella")
  }
}
