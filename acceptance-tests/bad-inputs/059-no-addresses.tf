# severity: warning
# summary: Node "app" has no addresses
# detail: neither cidrs nor ref
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/server"] }
    sql = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.0.2/32"] }
  }
}
