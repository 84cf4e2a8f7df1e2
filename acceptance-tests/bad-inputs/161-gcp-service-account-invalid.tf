# severity: error
# summary: Invalid service account "Print@prod"
# detail: On GCP a ref with '@' is a service account's email
# line: oe     = { components = ["plossys/output-engine"], cidrs = ["10.1.0.10"], ref = "Print@prod" }

data "portmap_gcp_firewall_rules" "x" {
  nodes = {
    oe     = { components = ["plossys/output-engine"], cidrs = ["10.1.0.10"], ref = "Print@prod" }
    admins = { components = ["plossys/admin"], cidrs = ["10.3.0.0/24"], kind = "group" }
  }
}
