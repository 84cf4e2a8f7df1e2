# severity: error
# summary: Port 70000 out of range
# detail: Ports are 0 to 65535.
# line: to_port = 70000

data "portmap_audit" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.1.10/32"] }
    sql = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
  }
  existing = [
    { id = "r1", node = "app", direction = "ingress", protocol = "tcp", from_port = 443, cidrs = ["10.0.0.0/8"],
      to_port = 70000 },
  ]
}
