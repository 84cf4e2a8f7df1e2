# severity: error
# summary: Rule without addresses
# detail: needs cidrs (the addresses at the other end) or peer

data "portmap_audit" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.1.10/32"] }
    sql = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
  }
  existing = [
    { id = "r1", node = "app", direction = "ingress", protocol = "all" },
  ]
}
