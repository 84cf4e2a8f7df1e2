# severity: error
# summary: Unknown product "tachyon5"
# detail: Did you mean "tachyon-5"?
# line: prod = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.0.1/32"] }
    sql = { components = ["tachyon-5/sql-master"], cidrs = ["10.0.0.2/32"] }
  }
  installations = {
    prod = { product = "tachyon5", nodes = ["app", "sql"] }
  }
}
