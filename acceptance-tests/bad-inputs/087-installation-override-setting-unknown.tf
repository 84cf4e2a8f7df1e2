# severity: error
# summary: Unknown setting "sql_instance_port" for product tachyon-5
# detail: Did you mean "sql_instance_ports"?
# line: prod = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.0.1/32"] }
    sql = { components = ["tachyon-5/sql-master"], cidrs = ["10.0.0.2/32"] }
  }
  installations = {
    prod = {
      product        = "tachyon-5"
      nodes          = ["app", "sql"]
      node_overrides = { sql = { settings = { sql_instance_port = "1533" } } }
    }
  }
}
