# severity: error
# summary: Unknown feature "named-sql" for product tachyon-5
# detail: Did you mean "named-sql-instance"?
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
      node_overrides = { sql = { features = ["named-sql"] } }
    }
  }
}
