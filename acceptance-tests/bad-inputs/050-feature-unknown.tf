# severity: error
# summary: Unknown feature "named-sql" for product tachyon-5
# detail: Did you mean "named-sql-instance"?
# line: "tachyon-5" = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/server"], cidrs = ["10.0.0.1/32"] }
  }
  products = {
    "tachyon-5" = { features = ["named-sql"] }
  }
}
