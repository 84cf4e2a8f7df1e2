# severity: error
# summary: Missing from_port
# detail: A udp rule needs from_port and to_port

data "portmap_audit" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.1.10/32"] }
    sql = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
  }
  existing = [
    { id = "r1", node = "app", direction = "ingress", protocol = "udp", to_port = 53, cidrs = ["10.0.0.0/8"] },
  ]
}
