# severity: error
# summary: Duplicate rule id "r1"
# detail: existing[0] has the same id

data "portmap_audit" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.1.10/32"] }
    sql = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
  }
  existing = [
    { id = "r1", node = "app", direction = "ingress", protocol = "icmp", cidrs = ["10.0.0.0/8"] },
    { id = "r1", node = "app", direction = "egress", protocol = "icmp", cidrs = ["10.0.0.0/8"] },
  ]
}
