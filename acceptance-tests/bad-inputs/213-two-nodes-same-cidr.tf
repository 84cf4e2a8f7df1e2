# severity: warning
# summary: Address 10.0.0.1/32 is also an address of node "app"
# detail: At nodes["sql"].cidrs[1]
# line: sql = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.0.1"] }
    sql = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.0.9/32", "10.0.0.1/32"] }
  }
}
