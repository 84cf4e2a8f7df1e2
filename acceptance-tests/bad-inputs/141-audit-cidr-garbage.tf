# severity: error
# summary: Invalid address "10.0.300.0/24"
# detail: not an IPv4 or IPv6 address
# line: cidrs = ["10.0.300.0/24"]

data "portmap_audit" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.1.10/32"] }
    sql = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
  }
  existing = [
    { id = "r1", node = "app", direction = "ingress", protocol = "tcp", from_port = 443, to_port = 443,
      cidrs = ["10.0.300.0/24"] },
  ]
}
