# A 1E platform server and its SQL Server, each with a security group, the
# 1E clients, the mail relay and the 1E Cloud. The SQL Server's ingress rule
# references the server's security group: the server node has a ref.
data "portmap_aws_security_group_rules" "this" {
  nodes = {
    server  = { components = ["1e-platform/server"], cidrs = ["10.0.1.10"], ref = "server" }
    sql     = { components = ["1e-platform/sql-server"], cidrs = ["10.0.2.10"], ref = "sql" }
    clients = { components = ["1e-platform/client", "1e-platform/browser"], cidrs = ["10.8.0.0/16", "2001:db8:8::/48"], kind = "group" }
    mail    = { components = ["1e-platform/smtp-relay"], cidrs = ["10.0.3.25"] }
    cloud   = { components = ["1e-platform/cloud-services"], cidrs = ["0.0.0.0/0"], kind = "group", exposure = "untrusted" }
  }
  # Only the security groups this configuration manages: the clients, the
  # mail relay and the 1E Cloud have none here.
  for_nodes = ["server", "sql"]
  # The account's raised quota of rules per security group.
  max_rules = 100
}

# Inbound rules of the SQL Server's security group, for
# aws_vpc_security_group_ingress_rule with for_each.
output "sql_ingress" {
  value = {
    for k, r in data.portmap_aws_security_group_rules.this.rules : k => r
    if r.node == "sql" && r.direction == "ingress"
  }
}
