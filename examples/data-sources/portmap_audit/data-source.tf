# The quickstart's topology against the rules a team has today: every TCP
# port from anywhere at the app server, SSH from 10/8, SQL Server from the
# app subnet instead of the app server, and an allow-all egress rule.
data "portmap_audit" "today" {
  nodes = {
    app     = { components = ["tachyon-5/master-stack", "tachyon-5/response-stack"], cidrs = ["10.0.1.10/32"] }
    sql     = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
    clients = { components = ["tachyon-5/client", "tachyon-5/browser"], cidrs = ["10.8.0.0/16"], kind = "group" }
  }
  products = {
    "tachyon-5" = { settings = { switch_port = 4100 }, features = ["named-sql-instance"] }
  }
  existing = [
    { id = "sg-app/sgr-1", node = "app", direction = "ingress", protocol = "tcp", from_port = 0, to_port = 65535, cidrs = ["0.0.0.0/0"] },
    { id = "sg-app/sgr-2", node = "app", direction = "ingress", protocol = "tcp", from_port = 22, to_port = 22, cidrs = ["10.0.0.0/8"] },
    { id = "sg-sql/sgr-1", node = "sql", direction = "ingress", protocol = "tcp", from_port = 1433, to_port = 1433, cidrs = ["10.0.1.0/24"] },
    { id = "sg-sql/sgr-2", node = "sql", direction = "ingress", protocol = "udp", from_port = 1434, to_port = 1434, peer = "app" },
    { id = "sg-clients/egress", node = "clients", direction = "egress", protocol = "all", cidrs = ["0.0.0.0/0"] },
  ]
}

# The clean-up request: what to delete or narrow, widest exposure first.
output "clean_up" {
  value = [for e in data.portmap_audit.today.excess : "${e.action} ${e.id} (${e.node} ${e.direction})"]
}

output "missing" {
  value = keys(data.portmap_audit.today.missing)
}

output "unjustified_share" {
  value = data.portmap_audit.today.summary.excess_share_ipv4
}
