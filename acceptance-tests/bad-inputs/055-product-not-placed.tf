# severity: warning
# summary: Product plossys is configured but none of its components is placed
# detail: have no effect
# line: plossys = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/server"], cidrs = ["10.0.0.1/32"] }
  }
  products = {
    plossys = { features = ["keycloak"] }
  }
}
