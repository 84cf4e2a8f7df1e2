# severity: error
# summary: Feature "named-sql-instance" is both enabled and disabled
# detail: Remove it from one of
# line: "tachyon-5" = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/server"], cidrs = ["10.0.0.1/32"] }
  }
  products = {
    "tachyon-5" = { features = ["named-sql-instance"], disabled_features = ["named-sql-instance"] }
  }
}
