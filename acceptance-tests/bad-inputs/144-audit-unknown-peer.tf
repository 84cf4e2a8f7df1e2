# severity: error
# summary: Unknown node "sq"
# detail: Did you mean "sql"?
# line: peer = "sq"

data "portmap_audit" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.1.10/32"] }
    sql = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
  }
  existing = [
    { id = "r1", node = "app", direction = "egress", protocol = "tcp", from_port = 1433, to_port = 1433,
      peer = "sq" },
  ]
}
