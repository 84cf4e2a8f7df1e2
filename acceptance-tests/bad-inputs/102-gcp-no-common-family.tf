# severity: warning
# summary: No GCP ingress rule at "oe" for "clients": no common address family
# detail: - plossys client-ipps: tcp/443

data "portmap_gcp_firewall_rules" "x" {
  nodes = {
    oe      = { components = ["plossys/output-engine"], cidrs = ["2001:db8:1::10"] }
    clients = { components = ["plossys/client"], cidrs = ["10.2.0.0/16"], kind = "group" }
  }
}
