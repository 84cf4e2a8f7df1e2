# severity: error
# summary: Incorrect attribute value type

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/server"], cidrs = ["10.0.0.1/32"] }
  }
  products = {
    "tachyon-5" = { settings = ["switch_port"] }
  }
}
