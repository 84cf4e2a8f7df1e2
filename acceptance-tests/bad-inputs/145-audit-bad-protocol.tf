# severity: error
# summary: Invalid protocol "tcpp"
# detail: Did you mean "tcp"?
# line: protocol = "tcpp"

data "portmap_audit" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.1.10/32"] }
    sql = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
  }
  existing = [
    { id = "r1", node = "app", direction = "ingress", from_port = 443, to_port = 443, cidrs = ["10.0.0.0/8"],
      protocol = "tcpp" },
  ]
}
