# severity: warning
# summary: tachyon-5: set sql_instance_ports to compute
# detail: master-sql-instance
# line: "tachyon-5" = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/server"], cidrs = ["10.0.0.1/32"] }
    sql = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.0.2/32"] }
  }
  products = {
    "tachyon-5" = { features = ["named-sql-instance"] }
  }
}
