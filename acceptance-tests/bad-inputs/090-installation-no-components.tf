# severity: warning
# summary: Installation "dir" runs no component of tarantella
# detail: so the installation has no flows
# line: dir = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.0.1/32"] }
    sql = { components = ["tachyon-5/sql-master"], cidrs = ["10.0.0.2/32"] }
  }
  installations = {
    dir = { product = "tarantella", nodes = ["app"] }
  }
}
