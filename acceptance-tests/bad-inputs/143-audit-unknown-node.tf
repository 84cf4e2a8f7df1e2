# severity: error
# summary: Unknown node "ap"
# detail: Did you mean "app"?
# line: node = "ap"

data "portmap_audit" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.1.10/32"] }
    sql = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
  }
  existing = [
    { id = "r1", direction = "ingress", protocol = "tcp", from_port = 443, to_port = 443,
      node = "ap", cidrs = ["10.0.0.0/8"] },
  ]
}
