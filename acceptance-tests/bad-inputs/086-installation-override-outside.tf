# severity: error
# summary: Override for node "sql" outside installation "prod"
# detail: is not in installations["prod"].nodes
# line: prod = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.0.1/32"] }
    sql = { components = ["tachyon-5/sql-master"], cidrs = ["10.0.0.2/32"] }
  }
  installations = {
    prod = {
      product        = "tachyon-5"
      nodes          = ["app"]
      node_overrides = { sql = { settings = { sql_instance_ports = "1533" } } }
    }
  }
}
