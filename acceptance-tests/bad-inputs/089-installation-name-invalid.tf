# severity: error
# summary: Invalid installation name "prod env"
# detail: installation names use letters, digits
# line: "prod env" = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.0.1/32"] }
    sql = { components = ["tachyon-5/sql-master"], cidrs = ["10.0.0.2/32"] }
  }
  installations = {
    "prod env" = { product = "tachyon-5", nodes = ["app", "sql"] }
  }
}
