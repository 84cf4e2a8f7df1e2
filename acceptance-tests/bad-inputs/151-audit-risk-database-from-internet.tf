# severity: warning
# summary: Risk: existing rule "r1" opens administration or database ports of "sql" to the whole internet
# detail: tcp/1433 (SQL Server, database)

data "portmap_audit" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.1.10/32"] }
    sql = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
  }
  existing = [
    { id = "r1", node = "sql", direction = "ingress", protocol = "tcp", from_port = 1433, to_port = 1433, cidrs = ["0.0.0.0/0"] },
  ]
}
