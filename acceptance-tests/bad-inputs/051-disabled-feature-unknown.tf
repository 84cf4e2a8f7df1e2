# severity: error
# summary: Unknown feature "dmz" for product tachyon-5
# detail: Features of tachyon-5: named-sql-instance, remote-catalog.
# line: "tachyon-5" = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/server"], cidrs = ["10.0.0.1/32"] }
  }
  products = {
    "tachyon-5" = { disabled_features = ["dmz"] }
  }
}
