# severity: error
# summary: Unknown node "sqll" in installation "prod"
# detail: Did you mean "sql"?
# line: prod = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.0.1/32"] }
    sql = { components = ["tachyon-5/sql-master"], cidrs = ["10.0.0.2/32"] }
  }
  installations = {
    prod = { product = "tachyon-5", nodes = ["app", "sqll"] }
  }
}
